import { setTimeout as sleep } from 'node:timers/promises';

import type { Storage } from '../infra/storage.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ProcessResult, ProcessTask } from '../pool/task.ts';
import type { LeasedQueue, Lease } from '../queue/leased-queue.ts';
import type { JobEvents } from './job-events.ts';
import { HandBackSignal, JobCanceledSignal, runJob, type JobRunOptions } from './job-run.ts';
import type { JobTransitions } from './job-transitions.ts';

/** The part of the image pool the dispatcher drives. */
export interface DispatcherPool {
  /** Jobs the pool runs at once: the most leases this replica holds. */
  size: number;
  run(task: ProcessTask, options: { signal: AbortSignal }): Promise<ProcessResult>;
}

export interface DispatcherOptions extends JobRunOptions {
  queue: LeasedQueue;
  transitions: JobTransitions;
  events: JobEvents;
  storage: Storage;
  pool: DispatcherPool;
  metrics: Metrics;
  logger: Logger;
  /** Longest wait between polls when no "ready" signal arrives. */
  pollMs: number;
  /**
   * Jobs leased beyond the pool's threads: claimed, their source downloaded,
   * and queued in the pool, so a thread that finishes a job starts the next
   * at once instead of idling through the next lease, claim and download (and
   * the previous job's uploads and terminal write). 0 leases only for free
   * threads. Each one holds its lease like a running job (renewed, handed
   * back at shutdown), so keep it small: a job waiting here is one another
   * replica cannot take.
   */
  prefetch: number;
}

export interface Dispatcher {
  start(): Promise<void>;
  /**
   * Stops leasing, gives the jobs in flight `graceMs` to finish, then hands
   * the rest back to the queue at once. Safe to call twice.
   */
  stop(graceMs?: number): Promise<void>;
  inFlight(): number;
}

/**
 * Leases jobs from Redis only while the pool has a free slot (a thread, or
 * one of the `prefetch` places queued behind the threads), and runs each
 * one. Wakes on the "ready" signal that `startJob` publishes, and polls as a
 * fallback so a missed signal delays work by at most `pollMs`.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { queue, events, logger, pool } = options;
  const slots = pool.size + options.prefetch;
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  const subscriptions: number[] = [];
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const nudge = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };

  const idle = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => nudge(), ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  function launch(lease: Lease) {
    const abort = new AbortController();
    const done = runJob(lease, abort.signal, options)
      .catch((error: unknown) => {
        logger.error({ err: error, jobId: lease.jobId }, 'job run failed unexpectedly');
      })
      .finally(() => {
        running.delete(lease.jobId);
        nudge();
      });
    running.set(lease.jobId, { abort, done });
  }

  async function dispatchLoop() {
    let failures = 0;
    while (!stopping) {
      const free = slots - running.size;
      if (free <= 0) {
        await idle(options.pollMs);
        continue;
      }

      try {
        const batch = await queue.lease(free);
        failures = 0;
        if (batch.reaped > 0) logger.warn({ reaped: batch.reaped }, 'expired leases re-queued');
        for (const lease of batch.leases) launch(lease);
        if (batch.leases.length === 0) await idle(options.pollMs);
      } catch (error: unknown) {
        failures += 1;
        logger.error({ err: error }, 'leasing failed; retrying');
        await sleep(Math.min(options.pollMs * 2 ** failures, 10_000));
      }
    }
  }

  return {
    async start() {
      subscriptions.push(await events.onReady(nudge));
      subscriptions.push(
        await events.onCancelRequest((jobId) => {
          running.get(jobId)?.abort.abort(new JobCanceledSignal());
        }),
      );
      loop = dispatchLoop();
    },

    async stop(graceMs = 0) {
      if (stopping) return loop ?? undefined;
      stopping = true;
      for (const id of subscriptions) events.unsubscribe(id);
      nudge();
      await loop;

      const allDone = () => Promise.allSettled([...running.values()].map((job) => job.done));
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([allDone(), graceOver]);
      clearTimeout(timer);

      if (running.size > 0) {
        logger.info({ jobs: running.size }, 'handing unfinished jobs back to the queue');
        for (const job of running.values()) job.abort.abort(new HandBackSignal());
        await allDone();
      }
    },

    inFlight: () => running.size,
  };
}

