/**
 * One ceiling measurement in a fresh process, so sharp's process-wide
 * settings, the CPU clock and the RSS peak belong to this configuration alone.
 * Reads a CeilingRun as JSON from argv[2]; prints a CeilingMeasure as JSON.
 */
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';

import type { ProcessTask } from '../../src/pool/task.ts';
import type { CeilingMeasure, CeilingRun } from './ceiling-types.ts';
import { machineBusyMs, sampleRss } from './proc-stats.ts';
import { cascade, perOutput, type RawJob } from './sharp-jobs.ts';
import { toOutputSpecs, type BenchOutput } from './workload.ts';

// A stray child must not outlive a crashed benchmark.
setTimeout(() => process.exit(3), 10 * 60_000).unref();

/**
 * Generous limits, far above the benchmark's images. Declared apart from the
 * task so it type-checks whichever limits ProcessTaskLimits lists.
 */
const LIMITS = { maxInputPixels: 100_000_000, maxOutputPixels: 100_000_000 };

async function strategyJob(run: CeilingRun): Promise<RawJob> {
  if (run.strategy === 'per-output') return perOutput;
  if (run.strategy === 'cascade') return cascade;

  // PixelFlow's own worker code, called in this thread. Importing it applies
  // its sharp settings, which this run then overrides with its own.
  const { processImage } = await import('../../src/pool/process-task.ts');
  return async (input: Buffer, outputs: readonly BenchOutput[]) => {
    const task: ProcessTask = {
      // A copy, as the pool's transfer would detach a buffer this run reuses.
      source: new Uint8Array(input).buffer,
      outputs: toOutputSpecs(outputs),
      limits: LIMITS,
    };
    const result = await processImage(task);
    if (!result.ok) throw new Error(`processImage failed: ${result.code} ${result.message}`);
    return result.outputs.reduce((sum, output) => sum + output.data.byteLength, 0);
  };
}

async function measure(run: CeilingRun): Promise<CeilingMeasure> {
  const job = await strategyJob(run);
  sharp.concurrency(run.vipsThreads);
  sharp.cache(false);
  const inputs = await Promise.all(run.inputs.map((input) => readFile(input.path)));
  const pixels = run.inputs.map((input) => input.width * input.height);

  let next = 0;
  const work = async (count: number) => {
    let megapixels = 0;
    const lane = async () => {
      for (let i = next++; i < count; i = next++) {
        const which = i % inputs.length;
        await job(inputs[which] as Buffer, run.outputs);
        megapixels += (pixels[which] as number) / 1e6;
      }
    };
    await Promise.all(Array.from({ length: run.inFlight }, lane));
    return megapixels;
  };

  await work(run.warmup);
  next = 0;
  const rss = sampleRss(process.pid);
  const cpuBefore = process.cpuUsage();
  const busyBefore = machineBusyMs();
  const started = performance.now();
  const megapixels = await work(run.jobs);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const ownMs = (cpu.user + cpu.system) / 1000;
  const otherMs = Math.max(0, machineBusyMs() - busyBefore - ownMs);

  return {
    jobs: run.jobs,
    seconds,
    jobsPerSecond: run.jobs / seconds,
    megapixelsPerSecond: megapixels / seconds,
    cpuMsPerJob: ownMs / run.jobs,
    otherCores: otherMs / 1000 / seconds,
    peakRssMiB: rss.stop(),
  };
}

const run = JSON.parse(process.argv[2] ?? '{}') as CeilingRun;
measure(run).then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
