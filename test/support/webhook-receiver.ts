import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
}

export interface WebhookReceiver {
  /** A fresh URL on this receiver; `statuses` are answered in turn, then 200. */
  endpoint(statuses?: number[]): { url: string; received: ReceivedWebhook[] };
  /** Resolves once `received` holds `count` requests; fails after `timeoutMs`. */
  waitFor(received: ReceivedWebhook[], count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every webhook it is sent. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const endpoints = new Map<string, { statuses: number[]; received: ReceivedWebhook[] }>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const endpoint = endpoints.get(request.url ?? '');
      endpoint?.received.push({
        headers: flatten(request.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.statusCode = endpoint?.statuses.shift() ?? (endpoint ? 200 : 404);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint(statuses = []) {
      const path = `/hooks/${randomBytes(6).toString('hex')}`;
      const received: ReceivedWebhook[] = [];
      endpoints.set(path, { statuses: [...statuses], received });
      return { url: `http://127.0.0.1:${port}${path}`, received };
    },

    async waitFor(received, count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`received ${received.length} of ${count} webhooks in ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },

    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
