import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import { FITS } from '../../src/pool/task.ts';
import type { Fit } from '../../src/pool/task.ts';
import { CORPUS, assertOk, makeTask, outputSpec, perceptualDistance } from './corpus.ts';

// Each case encodes five outputs and five direct resizes of a full photo.
vi.setConfig({ testTimeout: 30_000 });

const SOURCE = 'kodak/kodim23.png'; // 768 × 512
const BOXES = [
  [300, 300],
  [1000, 1000],
  [300, null],
  [null, 1000],
  [1000, 200],
] as const;

const SHARP_FIT = {
  COVER: 'cover',
  CONTAIN: 'contain',
  FILL: 'fill',
  INSIDE: 'inside',
  OUTSIDE: 'outside',
} as const satisfies Record<Fit, string>;

/** Sharp pads a one-sided CONTAIN out to the source's other side; we treat it as INSIDE. */
function isOneSidedContain(fit: Fit, width: number | null, height: number | null): boolean {
  return fit === 'CONTAIN' && (width === null || height === null);
}

async function directResize(
  fit: Fit,
  width: number | null,
  height: number | null,
  enlarge: boolean,
): Promise<ArrayBuffer> {
  const resized = await sharp(readFileSync(new URL(SOURCE, CORPUS)))
    .resize({
      width: width ?? undefined,
      height: height ?? undefined,
      fit: SHARP_FIT[fit],
      withoutEnlargement: !enlarge,
      background: '#ffffff',
    })
    .jpeg()
    .toBuffer();
  return new Uint8Array(resized).buffer;
}

describe('fit and enlarge', () => {
  for (const enlarge of [false, true]) {
    for (const [width, height] of BOXES) {
      it(`matches a direct sharp resize for ${width}x${height}, enlarge ${enlarge}`, async () => {
        const outputs = FITS.map((fit) => outputSpec(fit, 'JPEG', { width, height, fit, enlarge }));
        const result = assertOk(await processImage(makeTask(SOURCE, outputs)));

        for (const [i, fit] of FITS.entries()) {
          if (isOneSidedContain(fit, width, height)) continue;
          const ours = result.outputs[i];
          const direct = await directResize(fit, width, height, enlarge);
          const meta = await sharp(new Uint8Array(direct)).metadata();

          expect({ fit, width: ours?.width, height: ours?.height }).toEqual({
            fit,
            width: meta.width,
            height: meta.height,
          });
          // Same crop, same letterbox, same stretch: only resampling noise differs.
          const distance = await perceptualDistance(ours?.data ?? new ArrayBuffer(0), direct);
          expect(distance).toBeLessThan(3);
        }
      });
    }
  }

  it('gives the documented sizes', async () => {
    const cases = [
      [{ width: 300, height: 300, fit: 'COVER' }, [300, 300]],
      [{ width: 300, height: 300, fit: 'CONTAIN' }, [300, 300]],
      [{ width: 300, height: 300, fit: 'INSIDE' }, [300, 200]],
      [{ width: 300, height: 300, fit: 'OUTSIDE' }, [450, 300]],
      [{ width: 300, height: 300, fit: 'FILL' }, [300, 300]],
      [{ width: 1000, height: 1000, fit: 'INSIDE' }, [768, 512]],
      [{ width: 1000, height: 1000, fit: 'INSIDE', enlarge: true }, [1000, 667]],
      [{ width: 1000, height: 1000, fit: 'COVER' }, [768, 512]],
      [{ width: 1000, height: 1000, fit: 'CONTAIN' }, [1000, 1000]],
      [{ width: null, height: 1000, fit: 'CONTAIN' }, [768, 512]],
      [{ width: 1000, height: 200, fit: 'FILL' }, [768, 200]],
    ] as const;
    const outputs = cases.map(([options], i) => outputSpec(`case-${i}`, 'JPEG', options));
    const result = assertOk(await processImage(makeTask(SOURCE, outputs)));

    expect(result.outputs.map(({ width, height }) => [width, height])).toEqual(
      cases.map(([, size]) => size),
    );
  });
});
