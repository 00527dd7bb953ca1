/**
 * `npm run bench`: how close PixelFlow runs to this machine's limit, and
 * beside what users would pick instead. One run writes latest.md and
 * latest.json (every figure, ratio and the machine) to --out (bench-results/).
 * `--smoke` runs a few of everything, for CI: it proves the script, not speed.
 */
import { createRequire } from 'node:module';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Redis } from 'ioredis';

import { measureOne, sweepCeiling } from './bench/ceiling.ts';
import { REDIS_URL, createBenchEnvironment } from './bench/environment.ts';
import { computeRatios, evaluateGoals } from './bench/goals.ts';
import {
  KODAK,
  LARGE_SIZE,
  PHOTO_SIZES,
  prepareInput,
  tinyPng,
  type BenchInput,
} from './bench/inputs.ts';
import { describeMachine } from './bench/machine.ts';
import { parseOptions } from './bench/options.ts';
import { compareQueues } from './bench/queue-bench.ts';
import { runReplicaPhases } from './bench/replica-phases.ts';
import { renderMarkdown } from './bench/report.ts';
import type { BenchResults } from './bench/results.ts';
import { describeRevision } from './bench/revision.ts';
import { AVIF_OUTPUTS, PHOTO_OUTPUTS } from './bench/workload.ts';

const CORPUS = fileURLToPath(new URL('../../shared/corpus/kodak/', import.meta.url));
const INPUT_DIR = fileURLToPath(new URL('../.data/bench-inputs/', import.meta.url));

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString()}] ${line}\n`);

async function main() {
  const args = process.argv.slice(2);
  const options = parseOptions(args);
  const p = options.profile;
  const startedAt = new Date();
  const machine = describeMachine();
  const revision = describeRevision();

  log('preparing inputs');
  const kodak = KODAK.slice(0, p.photos);
  const photos: BenchInput[] = [];
  for (const size of PHOTO_SIZES) {
    if (options.smoke && size !== PHOTO_SIZES[0]) continue;
    for (const name of kodak) photos.push(await prepareInput(CORPUS, INPUT_DIR, name, size));
  }
  const large: BenchInput[] = [];
  for (const name of kodak) large.push(await prepareInput(CORPUS, INPUT_DIR, name, LARGE_SIZE));
  const files = (list: BenchInput[]) =>
    list.map(({ path, width, height }) => ({ path, width, height }));

  log('raw sharp ceiling');
  // A smoke run proves the script; it does not wait for a quiet machine.
  const attempts = options.smoke ? 1 : 3;
  const counts = { warmup: p.ceilingWarmup, jobs: p.ceilingJobs, attempts };
  const photoCeiling = await sweepCeiling(
    options.sweep, files(photos), PHOTO_OUTPUTS, counts, true,
  );
  const avifCounts = {
    warmup: Math.min(1, p.ceilingWarmup), jobs: p.avifCeilingJobs, attempts,
  };
  const avifCeiling = await sweepCeiling(
    options.avifSweep, files(photos), AVIF_OUTPUTS, avifCounts, false,
  );
  const largeCeiling = await measureOne(
    { strategy: 'cascade', inFlight: 2, vipsThreads: 1 }, files(large), PHOTO_OUTPUTS,
    { warmup: 0, jobs: p.largeBurst, attempts },
  );

  const redis = new Redis(REDIS_URL);
  const environment = await createBenchEnvironment();
  try {
    log('queue: leased list and BullMQ');
    const bullmqVersion = (createRequire(import.meta.url)('bullmq/package.json') as {
      version: string;
    }).version;
    const queue = await compareQueues(
      redis,
      { jobs: p.queueJobs, concurrency: p.queueConcurrency, batch: 1000, timeoutMs: 120_000 },
      bullmqVersion,
    );

    const phases = await runReplicaPhases(
      environment, redis, { photos, large, tiny: await tinyPng() }, options, log,
    );
    const ceiling = { photo: photoCeiling, avif: avifCeiling, largeBurst: largeCeiling };
    const ratios = computeRatios(ceiling, phases, queue);
    const results: BenchResults = {
      schemaVersion: 1,
      command: ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' '),
      smoke: options.smoke,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine,
      revision,
      settings: {
        profile: p, rates: options.rates, sweep: options.sweep, avifSweep: options.avifSweep,
      },
      inputs: [...photos, ...large].map(({ name, width, height, bytes, sha256 }) => ({
        name, width, height, bytes: bytes.byteLength, sha256,
      })),
      ceiling,
      phases,
      queue,
      ratios,
      goals: evaluateGoals(ratios, phases),
    };

    await mkdir(options.outDir, { recursive: true });
    const markdown = renderMarkdown(results);
    await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    await writeFile(join(options.outDir, 'latest.md'), markdown);
    process.stdout.write(markdown);
  } finally {
    redis.disconnect();
    await environment.drop().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (error instanceof Error && error.cause) log(`cause: ${String(error.cause)}`);
  process.exitCode = 1;
});
