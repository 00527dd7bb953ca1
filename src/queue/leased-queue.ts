import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { Redis } from 'ioredis';

/** A job id held by this replica until `deadline`, identified by its token. */
export interface Lease {
  jobId: string;
  token: string;
}

export class LeaseLostError extends Error {
  constructor(readonly lease: Lease) {
    super(`lease on job ${lease.jobId} is no longer held`);
    this.name = 'LeaseLostError';
  }
}

export interface LeasedQueueOptions {
  redis: Redis;
  keyPrefix: string;
  leaseMs: number;
}

export interface LeaseBatch {
  leases: Lease[];
  /** Expired leases this call put back on the ready list. */
  reaped: number;
}

export type LeasedQueue = ReturnType<typeof createLeasedQueue>;

interface Script {
  source: string;
  sha: string;
}

const script = (name: string): Script => {
  const source = readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8');
  return { source, sha: createHash('sha1').update(source).digest('hex') };
};

/**
 * EVALSHA, and EVAL only when Redis does not hold the script (first use, or a
 * restart emptied its script cache): EVAL would send and hash the whole
 * script on every lease, renewal and acknowledgement.
 */
async function run(
  redis: Redis,
  { source, sha }: Script,
  numKeys: number,
  ...args: (string | number)[]
): Promise<unknown> {
  try {
    return await redis.evalsha(sha, numKeys, ...args);
  } catch (error: unknown) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(source, numKeys, ...args);
  }
}

const LEASE = script('lease');
const RENEW = script('renew');
const RELEASE = script('release');
const RESTORE = script('restore');

/**
 * The Redis dispatch path: a ready list, leases with deadlines, and delayed
 * retries. Redis holds no truth here; Postgres does, and decides whether a
 * leased job may actually run.
 */
export function createLeasedQueue(options: LeasedQueueOptions) {
  const { redis, leaseMs } = options;
  const keys = {
    ready: `${options.keyPrefix}queue:ready`,
    delayed: `${options.keyPrefix}queue:delayed`,
    deadlines: `${options.keyPrefix}queue:lease-deadlines`,
    tokens: `${options.keyPrefix}queue:lease-tokens`,
  };
  const replicaId = randomUUID();
  let sequence = 0;

  return {
    keys,

    /** Makes jobs ready to lease. Call after the Postgres commit that queued them. */
    async enqueue(jobIds: string[]): Promise<void> {
      if (jobIds.length === 0) return;
      await redis.lpush(keys.ready, ...jobIds);
    },

    /** Leases up to `count` jobs, after re-queuing expired leases and due retries. */
    async lease(count: number): Promise<LeaseBatch> {
      sequence += 1;
      const reply = (await run(
        redis,
        LEASE,
        4,
        keys.ready,
        keys.delayed,
        keys.deadlines,
        keys.tokens,
        leaseMs,
        `${replicaId}:${sequence}`,
        count,
      )) as [number, ...string[]];

      const [reaped, ...pairs] = reply;
      const leases: Lease[] = [];
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        leases.push({ jobId: pairs[i] as string, token: pairs[i + 1] as string });
      }
      return { leases, reaped };
    },

    /** Extends the lease; throws LeaseLostError when it expired and was taken back. */
    async renew(lease: Lease): Promise<void> {
      const renewed = await run(
        redis, RENEW, 2, keys.deadlines, keys.tokens, lease.jobId, lease.token, leaseMs,
      );
      if (renewed !== 1) throw new LeaseLostError(lease);
    },

    /** Ends the lease for good: the job is finished or no longer runnable. */
    async acknowledge(lease: Lease): Promise<boolean> {
      return (await release(lease, -1)) === 1;
    },

    /** Ends the lease and makes the job ready again after `delayMs`. */
    async retryLater(lease: Lease, delayMs: number): Promise<boolean> {
      return (await release(lease, Math.max(0, Math.round(delayMs)))) === 1;
    },

    /**
     * Makes ready every given job that is neither ready, delayed nor leased:
     * the repair for a Redis that lost work Postgres still expects.
     */
    async restore(jobIds: string[]): Promise<string[]> {
      if (jobIds.length === 0) return [];
      return (await run(
        redis, RESTORE, 3, keys.ready, keys.delayed, keys.deadlines, ...jobIds,
      )) as string[];
    },

    async depth(): Promise<number> {
      return redis.llen(keys.ready);
    },
  };

  function release(lease: Lease, delayMs: number) {
    return run(
      redis, RELEASE, 3, keys.deadlines, keys.tokens, keys.delayed,
      lease.jobId, lease.token, delayMs,
    );
  }
}
