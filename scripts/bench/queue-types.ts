export interface QueueRun {
  jobs: number;
  /** Jobs worked on at once: consumers for the leased list, Worker concurrency for BullMQ. */
  concurrency: number;
  /** Jobs per enqueue call (LPUSH of many ids; BullMQ addBulk). */
  batch: number;
  /** Bound on the processing phase; fewer jobs are reported if it is reached. */
  timeoutMs: number;
}

export interface QueueRunResult {
  processed: number;
  addJobsPerSecond: number;
  processJobsPerSecond: number;
  /** CPU of this process (producer and consumers) per processed job. */
  clientCpuMsPerJob: number;
}
