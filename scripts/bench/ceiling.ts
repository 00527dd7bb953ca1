import type { CeilingMeasure, CeilingRun, Strategy } from './ceiling-types.ts';
import { runTsChild } from './run-child.ts';
import type { BenchOutput } from './workload.ts';

export interface CeilingConfig {
  strategy: Strategy;
  inFlight: number;
  vipsThreads: number;
}

export interface CeilingResult extends CeilingConfig, CeilingMeasure {
  label: string;
}

export interface CeilingSweep {
  /** Every raw-sharp configuration tried (processImage excluded). */
  runs: CeilingResult[];
  /** The fastest raw-sharp configuration: the ceiling. */
  best: CeilingResult;
  /** PixelFlow's worker code in-thread, at the best in-flight and thread settings. */
  processImage: CeilingResult | null;
}

const CHILD = new URL('./ceiling-child.ts', import.meta.url);

export function labelOf(config: CeilingConfig): string {
  return `${config.strategy}, ${config.inFlight} in flight, ${config.vipsThreads} vips thread(s)`;
}

export async function measureOne(
  config: CeilingConfig,
  inputs: CeilingRun['inputs'],
  outputs: readonly BenchOutput[],
  counts: { warmup: number; jobs: number },
): Promise<CeilingResult> {
  const run: CeilingRun = { ...config, inputs, outputs, ...counts };
  const measure = await runTsChild<CeilingMeasure>(CHILD, [JSON.stringify(run)], 5 * 60_000);
  return { ...config, ...measure, label: labelOf(config) };
}

/**
 * Tries each configuration, one process each, and keeps the fastest. The
 * sweep is the "best settings for this machine": it is measured, not assumed.
 */
export async function sweepCeiling(
  configs: readonly CeilingConfig[],
  inputs: CeilingRun['inputs'],
  outputs: readonly BenchOutput[],
  counts: { warmup: number; jobs: number },
  withProcessImage: boolean,
): Promise<CeilingSweep> {
  const runs: CeilingResult[] = [];
  for (const config of configs) {
    runs.push(await measureOne(config, inputs, outputs, counts));
  }
  const best = runs.reduce((a, b) => (b.jobsPerSecond > a.jobsPerSecond ? b : a));

  const processImage = withProcessImage
    ? await measureOne(
        { strategy: 'processImage', inFlight: best.inFlight, vipsThreads: 1 },
        inputs,
        outputs,
        counts,
      )
    : null;
  return { runs, best, processImage };
}
