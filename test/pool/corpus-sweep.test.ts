import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';

import { createImagePool } from '../../src/pool/create-pool.ts';
import type { ProcessErrorCode, ProcessResult } from '../../src/pool/task.ts';
import { CORPUS, makeTask, outputSpec } from './corpus.ts';
import { EXPECTED_FAILURES } from './expected-failures.ts';

/** How the manifest's `exercises` column says an image is meant to be refused. */
const DESCRIBED_AS_BAD =
  /corrupt|truncat|bomb|unsupported|rejection|fuzz|invalid|broken|huge|limit|must fail/i;

const ONLY_FOR_A_LATER_ISSUE = new Set(['pillow/star.avifs']);

interface ManifestRow {
  file: string;
  exercises: string;
}

function readManifest(): ManifestRow[] {
  const lines = readFileSync(new URL('MANIFEST.tsv', CORPUS), 'utf8').trim().split('\n');
  const [header = '', ...rows] = lines;
  const column = header.split('\t').indexOf('exercises');
  return rows.map((line) => {
    const cells = line.split('\t');
    return { file: cells[0] ?? '', exercises: cells[column] ?? '' };
  });
}

/** Rows whose `exercises` column is about frames: the animated-output pass runs these. */
const ABOUT_FRAMES = /animat|frame|dispose/i;

function outcome(result: ProcessResult): ProcessErrorCode | 'ok' {
  return result.ok ? 'ok' : result.code;
}

/**
 * Every corpus image through the real pool: 150-px WEBP (animated for an
 * animated source) and 720-px JPEG, no enlargement, 100 MP limit. Anything in
 * EXPECTED_FAILURES fails with its code; everything else must succeed.
 */
describe('the whole corpus through the pool', () => {
  const pool = createImagePool({ threads: 2 });
  afterAll(() => pool.close());
  const manifest = readManifest();

  it('lists every corpus image in the manifest', () => {
    expect(manifest.length).toBe(120);
  });

  it('fails exactly the images the manifest calls bad, with the expected codes', async () => {
    const outputs = [
      outputSpec('thumb', 'WEBP', { width: 150 }),
      outputSpec('large', 'JPEG', { width: 720 }),
    ];
    const results = new Map<string, ProcessErrorCode | 'ok'>();
    // Like the dispatcher, never more jobs than threads. A hang is a failure
    // too: each image gets 20 s, far above the slowest (about 1 s).
    const queue = manifest.map(({ file }) => file);
    const lane = async (): Promise<void> => {
      for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
        const signal = AbortSignal.timeout(20_000);
        results.set(file, outcome(await pool.run(makeTask(file, outputs), { signal })));
      }
    };
    await Promise.all(Array.from({ length: pool.size }, lane));

    const expected = manifest.map(({ file }) => [file, EXPECTED_FAILURES[file] ?? 'ok']);
    expect(manifest.map(({ file }) => [file, results.get(file)])).toEqual(expected);

    for (const { file, exercises } of manifest) {
      if (!(file in EXPECTED_FAILURES) || ONLY_FOR_A_LATER_ISSUE.has(file)) continue;
      const described = expect.stringMatching(DESCRIBED_AS_BAD);
      expect({ file, exercises }).toEqual({ file, exercises: described });
    }
  }, 120_000);

  it('makes GIF and WEBP outputs of every animated image, keeping its GIF frames', async () => {
    const animated = manifest.filter(({ exercises }) => ABOUT_FRAMES.test(exercises));
    // A list that silently emptied would test nothing.
    expect(animated.length).toBeGreaterThanOrEqual(12);
    const outputs = [
      outputSpec('gif', 'GIF', { width: 150 }),
      outputSpec('webp', 'WEBP', { width: 150 }),
    ];

    const seen: [string, string | number][] = [];
    const expected: [string, string | number][] = [];
    for (const { file } of animated) {
      const signal = AbortSignal.timeout(20_000);
      const result = await pool.run(makeTask(file, outputs), { signal });
      const code = EXPECTED_FAILURES[file];
      if (code !== undefined || !result.ok) {
        seen.push([file, outcome(result)]);
        expected.push([file, code ?? 'ok']);
        continue;
      }
      // GIF keeps every frame libvips reads; WEBP may merge identical ones.
      const source = await sharp(readFileSync(new URL(file, CORPUS))).metadata();
      const frames = ['gif', 'webp'].includes(source.format) ? (source.pages ?? 1) : 1;
      seen.push([file, result.outputs[0]?.frames ?? 0]);
      expected.push([file, frames]);
    }
    expect(seen).toEqual(expected);
    // Most of them are animations.
    expect(seen.filter(([, frames]) => typeof frames === 'number' && frames > 1).length)
      .toBeGreaterThanOrEqual(9);
  }, 120_000);
});
