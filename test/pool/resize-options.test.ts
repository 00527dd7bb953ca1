import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { POSITIONS, type Position } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import {
  assertOk,
  direct,
  inspectOutput,
  makeTask,
  onlyOutput,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const PHOTO = 'kodak/kodim23.png'; // 768 × 512

const SHARP_POSITION: Readonly<Record<Position, string>> = {
  CENTRE: 'centre',
  TOP: 'top',
  RIGHT_TOP: 'right top',
  RIGHT: 'right',
  RIGHT_BOTTOM: 'right bottom',
  BOTTOM: 'bottom',
  LEFT_BOTTOM: 'left bottom',
  LEFT: 'left',
  LEFT_TOP: 'left top',
};

/** The colour of one pixel of an encoded image, as [r, g, b, alpha]. */
async function pixelAt(data: ArrayBuffer, left: number, top: number): Promise<number[]> {
  const { data: raw } = await sharp(new Uint8Array(data))
    .ensureAlpha()
    .extract({ left, top, width: 1, height: 1 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return [...raw];
}

describe('resize position', () => {
  it('crops COVER at every position as a direct resize does', async () => {
    // A tall box keeps the full height, so each position picks a different strip.
    const outputs = POSITIONS.map((position) =>
      outputSpec(position, 'PNG', { width: 120, height: 200, fit: 'COVER', resize: { position } }),
    );
    const result = assertOk(await processImage(makeTask(PHOTO, outputs)));

    for (const [i, position] of POSITIONS.entries()) {
      const ours = result.outputs[i];
      const reference = await direct(PHOTO, (image) =>
        image.resize(120, 200, { fit: 'cover', position: SHARP_POSITION[position] }),
      );
      expect({ position, width: ours?.width, height: ours?.height }).toEqual({
        position,
        width: 120,
        height: 200,
      });
      expect(await perceptualDistance(ours?.data ?? new ArrayBuffer(0), reference)).toBeLessThan(3);
    }
    const left = result.outputs[POSITIONS.indexOf('LEFT')]?.data ?? new ArrayBuffer(0);
    const right = result.outputs[POSITIONS.indexOf('RIGHT')]?.data ?? new ArrayBuffer(0);
    expect(await perceptualDistance(left, right)).toBeGreaterThan(10);
  });

  it('places a CONTAIN image at its position, on the background asked for', async () => {
    const output = onlyOutput(
      await processImage(
        makeTask(PHOTO, [
          outputSpec('c', 'PNG', {
            width: 300,
            height: 300,
            fit: 'CONTAIN',
            resize: { position: 'TOP', background: { r: 255, g: 0, b: 0, alpha: 0.5 } },
          }),
        ]),
      ),
    );

    const reference = await direct(PHOTO, (image) =>
      image.resize(300, 300, { fit: 'contain', position: 'top', background: '#ff000080' }),
    );
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
    // The image sits at the top, so the letterbox is all below it.
    expect(await pixelAt(output.data, 150, 290)).toEqual([255, 0, 0, 128]);
    expect((await pixelAt(output.data, 150, 5))[3]).toBe(255);
  });

  it('letterboxes a JPEG in an opaque background colour', async () => {
    const output = onlyOutput(
      await processImage(
        makeTask(PHOTO, [
          outputSpec('c', 'JPEG', {
            width: 300,
            height: 300,
            fit: 'CONTAIN',
            resize: { background: { r: 0, g: 0, b: 255, alpha: 1 } },
          }),
        ]),
      ),
    );
    const [r, g, b] = await pixelAt(output.data, 150, 2);
    expect({ r, g, b }).toEqual({ r: expect.closeTo(0, -1), g: expect.closeTo(0, -1), b: 254 });
    expect(await inspectOutput(output.data)).toMatchObject({ width: 300, height: 300 });
  });
});

describe('resize gravity', () => {
  for (const gravity of ['ATTENTION', 'ENTROPY'] as const) {
    it(`crops by ${gravity} as a direct smart crop does`, async () => {
      const output = onlyOutput(
        await processImage(
          makeTask(PHOTO, [
            outputSpec('g', 'PNG', { width: 150, height: 300, fit: 'COVER', resize: { gravity } }),
          ]),
        ),
      );
      const strategy = gravity === 'ATTENTION' ? sharp.strategy.attention : sharp.strategy.entropy;
      const reference = await direct(PHOTO, (image) =>
        image.resize(150, 300, { fit: 'cover', position: strategy }),
      );

      expect(await inspectOutput(output.data)).toMatchObject({ width: 150, height: 300 });
      expect(await perceptualDistance(output.data, reference)).toBeLessThan(4);
    });
  }
});
