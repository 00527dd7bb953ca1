import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { MemoryResults } from '../scripts/memory/report.ts';

const run = promisify(execFile);
const SCRIPT = new URL('../scripts/memory-budget.ts', import.meta.url).pathname;

// Proves the memory measurement runs end to end and writes its report; the
// smoke form scales the limits down, so no figure of it is asserted.
describe('npm run bench:memory -- --smoke', () => {
  let outDir: string;
  let results: MemoryResults;
  let markdown: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'pixelflow-memory-smoke-'));
    await run(process.execPath, ['--import', 'tsx', SCRIPT, '--smoke', `--out=${outDir}`], {
      cwd: new URL('..', import.meta.url),
      timeout: 110_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    results = JSON.parse(await readFile(join(outDir, 'memory.json'), 'utf8')) as MemoryResults;
    markdown = await readFile(join(outDir, 'memory.md'), 'utf8');
  }, 120_000);

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('runs the corpus and every worst-case scenario to the end', () => {
    expect(results.smoke).toBe(true);
    expect(results.scenarios.map((scenario) => scenario.name)).toEqual([
      'corpus',
      'max-input-jpeg',
      'max-input-webp',
      'max-input-png-rgba',
      'max-input-png16-rgba',
      'max-outputs',
      'many-max-outputs',
    ]);
    for (const scenario of results.scenarios) {
      expect(scenario.outcomes).toEqual({ SUCCEEDED: scenario.jobs });
      expect(scenario.peakRssMiB).toBeGreaterThan(0);
    }
  });

  it('reports the peak against the budget, in JSON and markdown', () => {
    expect(results.peakRssMiB).toBeGreaterThanOrEqual(results.idleRssMiB);
    expect(typeof results.withinBudget).toBe('boolean');
    expect(markdown).toContain(`**Peak RSS ${results.peakRssMiB} MiB`);
  });
});
