import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import type { Registry } from 'prom-client';

import type { Logger } from '../logger.ts';
import { checkReadiness, type HealthCheck, type HealthWarning } from './health.ts';
import { attachWebSocketServer } from './websocket.ts';
import type { createGraphQLHandler } from './yoga.ts';

export interface HttpServerOptions {
  yoga: ReturnType<typeof createGraphQLHandler>;
  registry: Registry;
  readiness: Record<string, HealthCheck>;
  readinessWarnings?: HealthWarning[];
  logger: Logger;
}

/** `/graphql` (HTTP, SSE and WebSocket), `/healthz`, `/readyz` and `/metrics`. */
export function createHttpServer(options: HttpServerOptions) {
  const { yoga, registry, logger } = options;

  const routes: Record<string, (res: ServerResponse) => Promise<void>> = {
    '/healthz': async (res) => json(res, 200, { status: 'ok' }),
    '/readyz': async (res) => {
      const report = await checkReadiness(options.readiness, options.readinessWarnings);
      json(res, report.ready ? 200 : 503, report);
    },
    '/metrics': async (res) => {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType }).end(body);
    },
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = req.method === 'GET' || req.method === 'HEAD' ? routes[path] : undefined;
    if (!route) {
      void yoga(req, res);
      return;
    }
    route(res).catch((error: unknown) => {
      logger.error({ err: error, path }, 'request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
    });
  });
  const websockets = attachWebSocketServer(server, yoga);

  return {
    server,
    async listen(port: number, host: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      await websockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
