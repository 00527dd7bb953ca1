FROM node:20.20-bookworm-slim

# Text watermarks are drawn by Pango through fontconfig; the slim image has no
# fonts at all. DejaVu gives the default "Sans", "Serif" and "Mono" families.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fontconfig fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

COPY tsconfig.json ./
COPY drizzle ./drizzle
COPY src ./src

USER node
EXPOSE 4000
# tsx runs the TypeScript sources directly, and its loader carries over to the
# worker threads of the image pool.
CMD ["node", "--import", "tsx", "src/main.ts"]
