import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';

import type { Logger } from '../logger.ts';
import { useOperationSpans } from './tracing-plugin.ts';
import { maskUnavailable } from './unavailable-errors.ts';
import type { Context, Services } from '../schema/context.ts';

export const OWNER_HEADER = 'x-user-id';
/**
 * Printable ASCII without spaces: the same id over HTTP headers (latin1) and
 * WebSocket connection params (UTF-8), and safe in logs and Postgres.
 */
const OWNER = /^[\x21-\x7e]{1,128}$/;

const DEFAULT_QUERY = `# Try: create a job, upload with curl, start it, follow it.
mutation Create {
  createJob(input: { outputs: [
    { id: "thumb", resize: { width: 150 }, format: WEBP }
    { id: "large", resize: { width: 720 }, format: JPEG, quality: 82 }
  ] }) {
    __typename
    ... on CreateJobPayload { job { id status } upload { url expiresAt } }
    ... on InvalidInputError { message issues { path accepted received } }
  }
}
`;

export interface ServerContext {
  /** Set for graphql-ws connections: the owner named in connectionParams. */
  connectionOwner?: string | null;
}

export function createGraphQLHandler(
  schema: GraphQLSchema,
  services: Services,
  logger: Logger,
): YogaServerInstance<ServerContext, Context> {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL's assets are served from this process: it renders with no internet access.
    renderGraphiQL,
    graphiql: {
      title: 'PixelFlow',
      defaultQuery: DEFAULT_QUERY,
      headers: JSON.stringify({ [OWNER_HEADER]: 'demo-user' }),
    },
    // The schema has no cycles, so honest operations stay far below these;
    // they bound what a hostile one can make the server parse and resolve.
    plugins: [
      maxTokensPlugin({ n: 2000 }),
      maxDepthPlugin({ n: 10 }),
      maxAliasesPlugin({ n: 20 }),
      maxDirectivesPlugin({ n: 20 }),
      costLimitPlugin({ maxCost: 5000 }),
      useOperationSpans(),
    ],
    maskedErrors: { maskError: maskUnavailable },
    logging: {
      debug: (...args) => logger.debug({ args }, 'graphql'),
      info: (...args) => logger.info({ args }, 'graphql'),
      warn: (...args) => logger.warn({ args }, 'graphql'),
      error: (...args) => logger.error({ args }, 'graphql'),
    },
    context: ({ request, connectionOwner }): Context => {
      const owner = parseOwner(
        connectionOwner !== undefined ? connectionOwner : request.headers.get(OWNER_HEADER),
      );
      return {
        ...services,
        owner,
        requireOwner() {
          if (owner === null) {
            const rule = '1-128 printable ASCII characters, no spaces';
            throw new GraphQLError(`send your user id (${rule}) in the ${OWNER_HEADER} header`, {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
            });
          }
          return owner;
        },
      };
    },
  });
}

export function parseOwner(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const owner = value.trim();
  return OWNER.test(owner) ? owner : null;
}
