import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';

let environment: TestEnvironment;
let redisServer: ChildProcess;
let app: TestApp;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  environment = await createTestEnvironment();
  // A private Redis that evicts any key under memory pressure, queue included.
  const port = await freePort();
  redisServer = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory',
      '64mb',
      '--maxmemory-policy',
      'allkeys-lru',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  for (let i = 0; i < 50; i += 1) {
    if (
      await probe.connect().then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  probe.disconnect();
  app = await startTestApp(environment, { REDIS_URL: url });
});

afterAll(async () => {
  await app?.close();
  redisServer?.kill();
  await environment?.drop();
});

describe('readiness', () => {
  it('warns about a Redis that could evict the queue, while still serving', async () => {
    const response = await fetch(`${app.url}/readyz`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as { warnings?: string[] };
    expect(report.warnings).toEqual([expect.stringContaining('allkeys-lru')]);
  });
});
