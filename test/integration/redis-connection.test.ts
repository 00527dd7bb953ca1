import { afterEach, describe, expect, it } from 'vitest';

import { createRedis, type RedisConnections } from '../../src/infra/redis.ts';
import { startTcpProxy, type TcpProxy } from '../faults/support/tcp-proxy.ts';
import { REDIS_URL } from '../support/test-app.ts';

let redis: RedisConnections | null = null;
let proxy: TcpProxy | null = null;

afterEach(async () => {
  await redis?.close();
  await proxy?.close();
});

describe('the Redis connection', () => {
  it('fails a command under way when the connection drops, not waits for Redis', async () => {
    const target = new URL(REDIS_URL);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    redis = createRedis({ url: `redis://127.0.0.1:${proxy.port}`, onConnectionError: () => {} });
    await redis.ping();

    // Sent, but never answered: then the connection drops, and stays down.
    proxy.stall();
    const began = Date.now();
    const ping = redis.command.ping();
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.cut();

    await expect(ping).rejects.toThrow(/timed out/i);
    expect(Date.now() - began).toBeLessThan(8000);
  });
});
