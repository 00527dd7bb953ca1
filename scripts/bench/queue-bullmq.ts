import { randomBytes } from 'node:crypto';

import { Queue, Worker } from 'bullmq';

import { REDIS_URL, deleteKeys } from './environment.ts';
import type { QueueRun, QueueRunResult } from './queue-types.ts';

/**
 * BullMQ with the same jobs, batch and concurrency, on the same Redis. Jobs
 * are removed on completion, as our list forgets acknowledged ids.
 */
export async function runBullMq(run: QueueRun): Promise<QueueRunResult> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const prefix = 'pixelflow_bench_bullmq';
  const url = new URL(REDIS_URL);
  const connection = {
    host: url.hostname,
    port: Number(url.port || 6379),
    // Required by BullMQ workers: blocking commands must not be retried per request.
    maxRetriesPerRequest: null,
  };
  const queue = new Queue(name, { connection, prefix });
  let worker: Worker | null = null;
  try {
    const addStarted = performance.now();
    for (let i = 0; i < run.jobs; i += run.batch) {
      const size = Math.min(run.batch, run.jobs - i);
      await queue.addBulk(
        Array.from({ length: size }, () => ({
          name: 'noop',
          data: {},
          opts: { removeOnComplete: true, removeOnFail: true },
        })),
      );
    }
    const addSeconds = (performance.now() - addStarted) / 1000;

    let done = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, run.timeoutMs);
      const concurrency = run.concurrency;
      worker = new Worker(name, async () => {}, { connection, prefix, concurrency });
      worker.on('completed', () => {
        done += 1;
        if (done === run.jobs) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);

    return {
      processed: done,
      addJobsPerSecond: run.jobs / addSeconds,
      processJobsPerSecond: done / seconds,
      clientCpuMsPerJob: (used.user + used.system) / 1000 / Math.max(1, done),
    };
  } finally {
    await (worker as Worker | null)?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    await deleteKeys(`${prefix}:${name}:*`);
  }
}
