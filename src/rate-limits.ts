import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

import type { Logger } from './logger.ts';

export const RATE_LIMITED_OPERATIONS = ['createJob', 'startJob'] as const;
export type RateLimitedOperation = (typeof RATE_LIMITED_OPERATIONS)[number];

export interface BucketOptions {
  /** Calls a minute the bucket refills with; 0 turns the limit off. */
  perMinute: number;
  /** Calls a caller may make at once with a full bucket; at least 1. */
  burst: number;
}

export interface RateLimitsOptions {
  redis: Redis;
  /** The deployment's Redis key prefix; the buckets live under `<prefix>ratelimit:`. */
  keyPrefix: string;
  buckets: Record<RateLimitedOperation, BucketOptions>;
  onLimited: (operation: RateLimitedOperation) => void;
  onUnavailable: (operation: RateLimitedOperation) => void;
  logger: Logger;
}

/** The caller is over its limit for this operation. */
export class RateLimitedError extends Error {
  constructor(
    readonly operation: RateLimitedOperation,
    /** Seconds until the next call of this operation can succeed. */
    readonly retryAfter: number,
    /** Calls a minute the caller may make once the burst is spent. */
    readonly limit: number,
  ) {
    super(`too many ${operation} calls; retry in ${retryAfter.toFixed(1)} s`);
    this.name = 'RateLimitedError';
  }
}

export interface RateLimits {
  /** Takes one call from the caller's bucket, or throws RateLimitedError. */
  consume(operation: RateLimitedOperation, caller: string): Promise<void>;
}

/**
 * Per-caller token buckets in Redis, shared by every replica.
 *
 * rate-limiter-flexible (11.x) has no token bucket of its own: its Redis
 * limiter counts calls in fixed windows. Two of them make one here, as its
 * BurstyRateLimiter intends: a steady limiter that allows one call per refill
 * step (60 / perMinute seconds, rounded to whole seconds, the granularity of
 * its Redis keys), and a burst limiter holding the other `burst - 1` calls,
 * which refills whole once the time to refill them has passed. A caller with
 * a full bucket may make `burst` calls at once, then one each refill step.
 * Over a long time the rate is perMinute; at a window's edge the burst may be
 * granted a second time a little early, so a minute can admit up to
 * perMinute + burst calls, never more.
 */
export function createRateLimits(options: RateLimitsOptions): RateLimits {
  const limiters = new Map<RateLimitedOperation, RateLimiterLike>();
  for (const operation of RATE_LIMITED_OPERATIONS) {
    const bucket = options.buckets[operation];
    if (bucket.perMinute === 0) continue;
    const keyPrefix = `${options.keyPrefix}ratelimit:${operation}`;
    limiters.set(operation, createBucket(options.redis, keyPrefix, bucket));
  }

  return {
    async consume(operation, caller) {
      const limiter = limiters.get(operation);
      if (!limiter) return;

      let outcome: RateLimiterRes;
      try {
        await limiter.consume(caller);
        return;
      } catch (rejection: unknown) {
        if (!(rejection instanceof RateLimiterRes)) {
          failOpen(operation, rejection);
          return;
        }
        outcome = rejection;
      }

      options.onLimited(operation);
      const retryAfter = Math.max(outcome.msBeforeNext, 1) / 1000;
      throw new RateLimitedError(operation, retryAfter, options.buckets[operation].perMinute);
    },
  };

  // A limit that cannot be checked lets the call through: createJob and
  // startJob work without Redis (the reconciler queues what Redis missed),
  // and refusing them would turn a Redis outage into an API outage. Only an
  // error counts: a Redis that is reconnecting (refused at once) or that does
  // not answer within the connection's command timeout. A slow answer is
  // waited for; a deadline of our own would expire whenever this process is
  // busy, and a flood of calls keeps it busy, switching the limit off exactly
  // when it is needed.
  function failOpen(operation: RateLimitedOperation, error: unknown) {
    options.onUnavailable(operation);
    options.logger.warn({ err: error, operation }, 'rate limit not checked; call allowed');
  }
}

interface RateLimiterLike {
  consume(key: string): Promise<unknown>;
}

function createBucket(redis: Redis, keyPrefix: string, bucket: BucketOptions): RateLimiterLike {
  // One call per step, or several per second when the rate is above 60 a minute.
  const step =
    bucket.perMinute <= 60
      ? { points: 1, duration: Math.round(60 / bucket.perMinute) }
      : { points: Math.round(bucket.perMinute / 60), duration: 1 };
  // Fail at once while ioredis is reconnecting rather than queue the command.
  const common = { storeClient: redis, rejectIfRedisNotReady: true };
  const steady: RateLimiterAbstract = new RateLimiterRedis({ ...common, keyPrefix, ...step });
  const extra = bucket.burst - step.points;
  if (extra <= 0) return steady;

  const burst = new RateLimiterRedis({
    ...common,
    keyPrefix: `${keyPrefix}:burst`,
    points: extra,
    duration: Math.max(1, Math.round((extra * step.duration) / step.points)),
  });
  return new BurstyRateLimiter(steady, burst);
}
