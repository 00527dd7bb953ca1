import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';

export interface RedisConnections {
  /** Commands and scripts. */
  command: Redis;
  /** Publish/subscribe across replicas; owns two connections of its own. */
  pubsub: RedisPubSub;
  ping(): Promise<void>;
  /** Why this Redis could drop queued jobs under memory pressure, or null. */
  evictionRisk(): Promise<string | null>;
  close(): Promise<void>;
}

export interface RedisOptions {
  url: string;
  /** Called on connection errors; ioredis reconnects by itself. */
  onConnectionError: (error: Error) => void;
  reviver?: (key: string, value: unknown) => unknown;
}

export function createRedis(options: RedisOptions): RedisConnections {
  // A bounded retry count makes a command fail instead of waiting forever
  // while Redis is down, so the API answers with an error rather than hanging.
  const connect = () => {
    const redis = new Redis(options.url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
    redis.on('error', options.onConnectionError);
    return redis;
  };

  const command = connect();
  const pubsub = new RedisPubSub({
    publisher: connect(),
    subscriber: connect(),
    ...(options.reviver ? { reviver: options.reviver } : {}),
  });
  let closed = false;

  return {
    command,
    pubsub,

    async ping() {
      await command.ping();
    },

    async evictionRisk() {
      // The queue's keys never expire, so only the allkeys-* policies can evict them.
      const reply = (await command.config('GET', 'maxmemory-policy')) as string[];
      const policy = reply[1] ?? 'unknown';
      return policy.startsWith('allkeys-')
        ? `redis maxmemory-policy is ${policy}, which can evict queued jobs; use noeviction`
        : null;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([pubsub.close(), command.quit()]);
    },
  };
}
