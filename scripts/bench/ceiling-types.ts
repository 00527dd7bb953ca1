import type { BenchOutput } from './workload.ts';

export const STRATEGIES = ['cascade', 'per-output', 'processImage'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** One configuration of the raw-sharp ceiling, as handed to ceiling-child.ts. */
export interface CeilingRun {
  strategy: Strategy;
  /** Images in flight at once (promises on libuv's pool). */
  inFlight: number;
  /** libvips threads per image: sharp.concurrency(). */
  vipsThreads: number;
  inputs: { path: string; width: number; height: number }[];
  outputs: readonly BenchOutput[];
  warmup: number;
  jobs: number;
}

export interface CeilingMeasure {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  megapixelsPerSecond: number;
  /** Process CPU (every thread) per job. */
  cpuMsPerJob: number;
  peakRssMiB: number;
  /** Busy CPU of everything else on the machine during the run, in cores: noise. */
  otherCores: number;
}
