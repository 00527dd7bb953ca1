import type { Redis } from 'ioredis';

import { redisCpuMs } from './environment.ts';
import { runBullMq } from './queue-bullmq.ts';
import { runLeasedList } from './queue-leased.ts';
import type { QueueRun, QueueRunResult } from './queue-types.ts';
import { ratio, round } from './stats.ts';

export interface QueueSide extends QueueRunResult {
  redisCpuMsPerJob: number;
}

export interface QueueComparison {
  run: QueueRun;
  bullmqVersion: string;
  leasedList: QueueSide;
  bullmq: QueueSide;
  /** Leased list processing jobs/s ÷ BullMQ processing jobs/s. */
  ratio: number | null;
}

async function withRedisCpu(redis: Redis, go: () => Promise<QueueRunResult>) {
  const before = await redisCpuMs(redis);
  const result = await go();
  const after = await redisCpuMs(redis);
  const rounded = Object.fromEntries(
    Object.entries(result).map(([key, value]) => [key, round(value, 3)]),
  ) as unknown as QueueRunResult;
  return { ...rounded, redisCpuMsPerJob: round((after - before) / result.processed, 4) };
}

export async function compareQueues(
  redis: Redis,
  run: QueueRun,
  bullmqVersion: string,
): Promise<QueueComparison> {
  // Ours first, then BullMQ; each cleans up its keys before the next starts.
  const leasedList = await withRedisCpu(redis, () => runLeasedList(run));
  const bullmq = await withRedisCpu(redis, () => runBullMq(run));
  return {
    run,
    bullmqVersion,
    leasedList,
    bullmq,
    ratio: ratio(leasedList.processJobsPerSecond, bullmq.processJobsPerSecond),
  };
}
