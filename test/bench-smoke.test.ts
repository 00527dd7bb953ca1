import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { BenchResults } from '../scripts/bench/results.ts';

const run = promisify(execFile);
const BENCH = new URL('../scripts/bench.ts', import.meta.url).pathname;

// The benchmark is not a timed test: this only checks that it runs end to end
// and writes well-formed results. Speed is never asserted.
describe('npm run bench -- --smoke', () => {
  let outDir: string;
  let results: BenchResults;
  let markdown: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'pixelflow-bench-smoke-'));
    await run(process.execPath, ['--import', 'tsx', BENCH, '--smoke', `--out=${outDir}`], {
      cwd: new URL('..', import.meta.url),
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    results = JSON.parse(await readFile(join(outDir, 'latest.json'), 'utf8')) as BenchResults;
    markdown = await readFile(join(outDir, 'latest.md'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('describes the machine and the inputs it used', () => {
    expect(results.schemaVersion).toBe(1);
    expect(results.smoke).toBe(true);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.sharp).toMatch(/^\d+\.\d+/);
    expect(results.machine.libvips).toMatch(/^\d+\.\d+/);
    for (const input of results.inputs) expect(input.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('measured every section, with every job finished', () => {
    const { ceiling, phases, queue } = results;
    expect(ceiling.photo.best.jobsPerSecond).toBeGreaterThan(0);
    expect(ceiling.avif.best.jobsPerSecond).toBeGreaterThan(0);
    for (const phase of [phases.photo, phases.avif, phases.tiny, phases.largeBurst]) {
      expect(phase.failed).toBe(0);
      expect(phase.startToTerminalMs.count).toBe(phase.jobs);
      expect(phase.usage.replicaPeakRssMiB).toBeGreaterThan(0);
    }
    expect(queue.leasedList.processed).toBe(queue.run.jobs);
    expect(queue.bullmq.processed).toBe(queue.run.jobs);
    expect(phases.api.length).toBeGreaterThan(0);
    expect(phases.subscribers.incomplete).toBe(0);
  });

  it('states every goal and writes the markdown table', () => {
    expect(results.goals).toHaveLength(5);
    for (const goal of results.goals) expect(typeof goal.met).toBe('boolean');
    expect(markdown).toContain('| goal | target | measured | met |');
    expect(markdown).toContain(results.machine.cpuModel);
  });
});
