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

/**
 * graphql-redis-subscriptions keeps a second promise per channel while its
 * SUBSCRIBE is pending, and rejects it as well when the SUBSCRIBE fails. Only a
 * second caller subscribing at that moment awaits it, so a subscription made
 * while Redis was unreachable ended the process with an unhandled rejection.
 * The caller still gets the error from `subscribe` itself.
 */
class SettledRedisPubSub extends RedisPubSub {
  override subscribe<T>(
    trigger: string,
    onMessage: (message: T) => void,
    options?: unknown,
  ): Promise<number> {
    const subscribed = super.subscribe(trigger, onMessage, options);
    // A private field of the library (dist/redis-pubsub.js, 2.7.0).
    const pending = (this as unknown as { subsPendingRefsMap?: PendingSubscriptions })
      .subsPendingRefsMap;
    for (const entry of pending?.values() ?? []) entry.pending.catch(() => {});
    return subscribed;
  }
}

type PendingSubscriptions = Map<string, { pending: { catch(handle: () => void): unknown } }>;

/**
 * graphql-redis-subscriptions sends UNSUBSCRIBE and PUNSUBSCRIBE without
 * awaiting them; when the connection drops or closes meanwhile (a client
 * leaving during shutdown), their rejection would go unhandled. Nothing is
 * left to undo then: a closed connection holds no subscriptions.
 */
function withSettledUnsubscribe(redis: Redis): Redis {
  for (const name of ['unsubscribe', 'punsubscribe'] as const) {
    const send = redis[name].bind(redis) as (...channels: string[]) => Promise<unknown>;
    const settled = (...channels: string[]) => {
      const sent = send(...channels);
      sent.catch(() => {});
      return sent;
    };
    // Same signature as the method it wraps; only the rejection is observed.
    redis[name] = settled as unknown as Redis[typeof name];
  }
  return redis;
}

/**
 * The retry count covers only commands not yet sent: one already sent when
 * the connection drops is held back by ioredis and sent again once Redis is
 * reachable, however long that takes. A command timeout bounds those too.
 */
const COMMANDS = { commandTimeout: 5000 };

/**
 * ioredis 5.8.2+ may write a SUBSCRIBE issued while it connects before its
 * ready check (INFO), which the server then refuses in subscriber mode and the
 * subscription fails (https://github.com/redis/ioredis/issues/2037); a
 * subscriber holds no data to wait for, so it needs no ready check. Nor a
 * command timeout: ioredis re-subscribes after a reconnect without observing
 * the result, so a timeout there would be an unhandled rejection, and a
 * SUBSCRIBE under way when the connection drops just waits for Redis.
 */
const SUBSCRIBER = { enableReadyCheck: false };

export function createRedis(options: RedisOptions): RedisConnections {
  // A bounded retry count makes a command fail instead of waiting forever
  // while Redis is down, so the API answers with an error rather than hanging.
  const connect = (role: 'commands' | 'subscriber') => {
    const redis = new Redis(options.url, {
      maxRetriesPerRequest: 2,
      connectTimeout: 5000,
      ...(role === 'commands' ? COMMANDS : SUBSCRIBER),
    });
    redis.on('error', options.onConnectionError);
    return redis;
  };

  const command = connect('commands');
  const pubsub = new SettledRedisPubSub({
    publisher: connect('commands'),
    subscriber: withSettledUnsubscribe(connect('subscriber')),
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
