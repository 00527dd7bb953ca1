import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { createLeasedQueue } from '../../src/queue/leased-queue.ts';
import { REDIS_URL, deleteKeys } from './environment.ts';
import type { QueueRun, QueueRunResult } from './queue-types.ts';

/**
 * Our leased list alone: no-op jobs enqueued in batches, then `concurrency`
 * consumers each leasing one job and acknowledging it, until all are done.
 */
export async function runLeasedList(run: QueueRun): Promise<QueueRunResult> {
  const keyPrefix = `pixelflow_bench_queue_${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(REDIS_URL);
  try {
    const queue = createLeasedQueue({ redis, keyPrefix, leaseMs: 30_000 });
    const ids = Array.from({ length: run.jobs }, (_, i) => `job-${i}`);

    const addStarted = performance.now();
    for (let i = 0; i < ids.length; i += run.batch) {
      await queue.enqueue(ids.slice(i, i + run.batch));
    }
    const addSeconds = (performance.now() - addStarted) / 1000;

    let done = 0;
    const deadline = Date.now() + run.timeoutMs;
    const consumer = async () => {
      while (done < run.jobs && Date.now() < deadline) {
        const { leases } = await queue.lease(1);
        const lease = leases[0];
        if (!lease) continue;
        await queue.acknowledge(lease);
        done += 1;
      }
    };
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(Array.from({ length: run.concurrency }, consumer));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);

    return {
      processed: done,
      addJobsPerSecond: run.jobs / addSeconds,
      processJobsPerSecond: done / seconds,
      clientCpuMsPerJob: (used.user + used.system) / 1000 / Math.max(1, done),
    };
  } finally {
    redis.disconnect();
    await deleteKeys(`${keyPrefix}*`);
  }
}
