import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';

import { afterEach, describe, expect, it } from 'vitest';

import { createRedis, type RedisConnections } from '../../src/infra/redis.ts';
import { REDIS_URL } from '../support/test-app.ts';

const opened: RedisConnections[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((redis) => redis.close()));
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 1;
}

describe('Redis pub/sub', () => {
  it('takes a subscription made while its connection is being set up', async () => {
    const errors: Error[] = [];
    const redis = createRedis({ url: REDIS_URL, onConnectionError: (e) => errors.push(e) });
    opened.push(redis);
    const channel = `pubsub-test:${randomBytes(4).toString('hex')}`;
    const received: unknown[] = [];

    // On "connect" the handshake is still running: the moment of ioredis#2037.
    await new Promise<void>((resolve, reject) => {
      redis.pubsub.getSubscriber().once('connect', () => {
        redis.pubsub.subscribe(channel, (message) => received.push(message)).then(
          () => resolve(),
          reject,
        );
      });
    });
    await redis.pubsub.publish(channel, { hello: 1 });
    await expect.poll(() => received.length).toBe(1);
    expect(errors).toEqual([]);
  });

  it('fails a subscription Redis cannot take without ending the process', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      const url = `redis://127.0.0.1:${await closedPort()}`;
      const redis = createRedis({ url, onConnectionError: () => {} });
      opened.push(redis);

      await expect(redis.pubsub.subscribe('anything', () => {})).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
