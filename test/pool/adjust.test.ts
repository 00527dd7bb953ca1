import type { Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';

import type { AdjustSpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import {
  assertOk,
  channelMeans,
  direct,
  inspectOutput,
  makeTask,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const PHOTO = 'kodak/kodim23.png'; // 768 × 512

const NONE: AdjustSpec = {
  blur: null,
  sharpen: null,
  grayscale: false,
  modulate: null,
  tint: null,
  gamma: null,
  normalise: false,
};

/** Each adjustment, and the same step on a direct pipeline after its resize. */
const CASES: readonly [string, Partial<AdjustSpec>, (image: Sharp) => Sharp][] = [
  ['blur', { blur: 3 }, (i) => i.blur(3)],
  ['sharpen', { sharpen: 2 }, (i) => i.sharpen({ sigma: 2 })],
  ['grayscale', { grayscale: true }, (i) => i.greyscale()],
  [
    'modulate',
    { modulate: { brightness: 1.3, saturation: 0.2, hue: 90 } },
    (i) => i.modulate({ brightness: 1.3, saturation: 0.2, hue: 90 }),
  ],
  ['tint', { tint: { r: 255, g: 120, b: 0, alpha: 1 } }, (i) => i.tint('#ff7800')],
  ['gamma', { gamma: 2.2 }, (i) => i.gamma(1, 2.2)],
  ['normalise', { normalise: true }, (i) => i.normalise()],
];

/** The largest difference between the two images' mean red, green and blue. */
async function colourDistance(a: ArrayBuffer, b: ArrayBuffer): Promise<number> {
  const [left, right] = await Promise.all([channelMeans(a), channelMeans(b)]);
  return Math.max(...[0, 1, 2].map((c) => Math.abs((left[c] ?? 0) - (right[c] ?? 0))));
}

describe('adjust', () => {
  it('applies every adjustment as a direct pipeline does, after the resize', async () => {
    const outputs = CASES.map(([id, adjust]) =>
      outputSpec(id, 'PNG', { width: 300, more: { adjust: { ...NONE, ...adjust } } }),
    );
    const plain = outputSpec('plain', 'PNG', { width: 300 });
    const result = assertOk(await processImage(makeTask(PHOTO, [...outputs, plain])));
    const unadjusted = result.outputs.at(-1)?.data ?? new ArrayBuffer(0);

    for (const [i, [id, , step]] of CASES.entries()) {
      const ours = result.outputs[i]?.data ?? new ArrayBuffer(0);
      const reference = await direct(PHOTO, (image) => step(image.resize(300)));
      // The perceptual distance is of grey thumbnails: colour means check the colour.
      const close = (await perceptualDistance(ours, reference)) < 3 &&
        (await colourDistance(ours, reference)) < 3;
      expect({ id, close }).toEqual({ id, close: true });
      // Each one visibly changes the image (blur and sharpen show at 32 px only faintly).
      const changed = (await perceptualDistance(ours, unadjusted)) > 0.5 ||
        (await colourDistance(ours, unadjusted)) > 3;
      expect({ id, changed }).toEqual({ id, changed: true });
    }
  });

  it('keeps a grey output in sRGB, and a tinted one keeps its colour', async () => {
    const outputs = [
      outputSpec('grey', 'JPEG', { width: 200, more: { adjust: { ...NONE, grayscale: true } } }),
      outputSpec('tint', 'JPEG', {
        width: 200,
        more: { adjust: { ...NONE, tint: { r: 0, g: 0, b: 255, alpha: 1 } } },
      }),
    ];
    const result = assertOk(await processImage(makeTask(PHOTO, outputs)));
    const [grey, tint] = result.outputs;

    const greyData = grey?.data ?? new ArrayBuffer(0);
    expect(await inspectOutput(greyData)).toMatchObject({ space: 'srgb', channels: 3 });
    const [r = 0, g = 0, b = 0] = await channelMeans(greyData);
    expect(Math.max(Math.abs(r - g), Math.abs(g - b))).toBeLessThan(1);
    const [red = 0, , blue = 0] = await channelMeans(tint?.data ?? new ArrayBuffer(0));
    expect(blue).toBeGreaterThan(red + 20);
  });
});
