/**
 * `npm run bench:memory`: the peak RSS of one replica with the production
 * defaults while it processes the whole corpus, then the worst jobs the
 * default limits accept. Writes memory.md and memory.json to --out
 * (bench-results/). `--smoke` scales the limits down and runs a few corpus
 * files, for CI: it proves the script, not the figure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadConfig } from '../src/config.ts';
import { createBenchEnvironment } from './bench/environment.ts';
import { describeMachine } from './bench/machine.ts';
import { rssMiB } from './bench/proc-stats.ts';
import { startReplica } from './bench/replica.ts';
import { describeRevision } from './bench/revision.ts';
import { renderMemoryMarkdown, type MemoryResults } from './memory/report.ts';
import { highWaterMiB, runScenario, type ScenarioResult } from './memory/run-scenario.ts';
import { corpusScenario, worstScenarios, type Limits } from './memory/scenarios.ts';

/**
 * The budget the README states: the peak this script measured with the
 * defaults on the 2-core reference machine (2504-2566 MiB in four runs on
 * 2026-12-03, in the job of two full-size 50 MP PNG outputs), plus about 20%.
 * A run above it is reported as over budget. See README, "Memory".
 */
const MEMORY_BUDGET_MIB = 3072;

const CORPUS = fileURLToPath(new URL('../../shared/corpus/', import.meta.url));
const INPUT_DIR = fileURLToPath(new URL('../.data/memory-inputs/', import.meta.url));

/** Small enough for CI to make and run in seconds. */
const SMOKE_LIMITS = {
  MAX_INPUT_PIXELS: '1000000',
  MAX_OUTPUT_PIXELS: '500000',
  MAX_JOB_OUTPUT_PIXELS: '2000000',
};
const SMOKE_CORPUS_FILES = 8;

const log = (line: string) =>
  process.stderr.write(`[memory ${new Date().toISOString()}] ${line}\n`);

function parseArgs(argv: readonly string[]): { smoke: boolean; outDir: string } {
  let smoke = false;
  let outDir = 'bench-results';
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else if (arg.startsWith('--out=')) outDir = arg.slice('--out='.length);
    else throw new Error(`unknown argument ${arg}; use --smoke or --out=DIR`);
  }
  return { smoke, outDir };
}

async function main() {
  const args = process.argv.slice(2);
  const { smoke, outDir } = parseArgs(args);
  const startedAt = new Date();
  const machine = describeMachine();
  const overrides: Record<string, string> = smoke ? SMOKE_LIMITS : {};
  // The replica's own defaults, read the way it reads them.
  const config = loadConfig(overrides);
  const limits: Limits = {
    poolThreads: config.POOL_THREADS,
    maxInputPixels: config.MAX_INPUT_PIXELS,
    maxOutputPixels: config.MAX_OUTPUT_PIXELS,
    maxOutputsPerJob: config.MAX_OUTPUTS_PER_JOB,
    maxJobOutputPixels: config.MAX_JOB_OUTPUT_PIXELS,
  };

  const scenarios = [
    await corpusScenario(CORPUS, smoke ? SMOKE_CORPUS_FILES : undefined),
    ...(await worstScenarios(CORPUS, INPUT_DIR, limits, log)),
  ];

  const environment = await createBenchEnvironment();
  try {
    const replica = await startReplica(environment, {
      ...overrides,
      BENCH_REPLICA_MAX_MS: String(60 * 60_000),
    });
    const results: ScenarioResult[] = [];
    let idleRssMiB = 0;
    let finalHighWaterMiB = 0;
    try {
      idleRssMiB = Math.round(rssMiB(replica.pid));
      for (const scenario of scenarios) {
        log(`${scenario.name}: ${scenario.jobs.length} jobs, ${scenario.clients} clients`);
        const result = await runScenario(replica, scenario, log);
        log(`${scenario.name}: peak ${result.peakRssMiB} MiB in ${result.seconds} s`);
        results.push(result);
      }
    } finally {
      finalHighWaterMiB = Math.round(highWaterMiB(replica.pid));
      await replica.stop();
    }

    const peakRssMiB = Math.max(finalHighWaterMiB, ...results.map((result) => result.peakRssMiB));
    const output: MemoryResults = {
      schemaVersion: 1,
      command: ['npm run bench:memory', ...(args.length > 0 ? ['--', ...args] : [])].join(' '),
      smoke,
      startedAt: startedAt.toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      machine,
      revision: describeRevision(),
      limits,
      idleRssMiB,
      scenarios: results,
      peakRssMiB,
      budgetMiB: MEMORY_BUDGET_MIB,
      withinBudget: peakRssMiB <= MEMORY_BUDGET_MIB,
    };

    await mkdir(outDir, { recursive: true });
    const markdown = renderMemoryMarkdown(output);
    await writeFile(join(outDir, 'memory.json'), `${JSON.stringify(output, null, 2)}\n`);
    await writeFile(join(outDir, 'memory.md'), markdown);
    process.stdout.write(markdown);
  } finally {
    await environment.drop().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
