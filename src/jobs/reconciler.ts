import type { Logger } from '../logger.ts';
import type { LeasedQueue } from '../queue/leased-queue.ts';
import type { JobTransitions } from './job-transitions.ts';

export interface ReconcilerOptions {
  queue: Pick<LeasedQueue, 'restore'>;
  transitions: Pick<JobTransitions, 'overdue'>;
  logger: Logger;
  /** How often to compare Postgres with Redis. */
  intervalMs: number;
}

/** Jobs checked per pass; a larger backlog is worked through over several passes. */
const BATCH = 500;

/**
 * Postgres is the truth and Redis only the dispatch path: every replica
 * periodically hands Redis back the jobs it should hold and does not, such
 * as after a Redis restart or a crash between a commit and its Redis push.
 * Safe with many replicas, since each restore is one atomic script.
 */
export function createReconciler(options: ReconcilerOptions) {
  const { queue, transitions, logger, intervalMs } = options;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> | null = null;

  async function reconcile(): Promise<number> {
    const overdue = await transitions.overdue(intervalMs, BATCH);
    const restored = await queue.restore(overdue);
    if (restored.length > 0) {
      const sample = restored.slice(0, 20);
      logger.warn({ restored: restored.length, jobIds: sample }, 'jobs restored to the queue');
    }
    return restored.length;
  }

  function schedule() {
    timer = setTimeout(() => {
      pass = reconcile()
        .then(() => undefined)
        .catch((error: unknown) => logger.warn({ err: error }, 'reconcile pass failed'))
        .finally(() => {
          pass = null;
          if (timer) schedule();
        });
    }, intervalMs);
  }

  return {
    reconcile,
    start() {
      schedule();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await pass;
    },
  };
}
