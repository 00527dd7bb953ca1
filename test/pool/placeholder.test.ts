import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { thumbHashToApproximateAspectRatio, thumbHashToRGBA } from 'thumbhash';
import { describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import { CORPUS, assertOk, direct, makeTask, outputSpec, perceptualDistance } from './corpus.ts';

/** The ThumbHash drawn back as a PNG, to compare with the source. */
async function drawn(thumbHash: string): Promise<ArrayBuffer> {
  const { w, h, rgba } = thumbHashToRGBA(Buffer.from(thumbHash, 'base64'));
  const png = await sharp(Buffer.from(rgba), { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toBuffer();
  return new Uint8Array(png).buffer;
}

describe('placeholders', () => {
  it('are made only when asked for', async () => {
    const result = assertOk(
      await processImage(makeTask('kodak/kodim23.png', [outputSpec('t', 'WEBP', { width: 150 })])),
    );
    expect(result.placeholder).toBeUndefined();
  });

  it('give the upright aspect and a blurred likeness of the source', async () => {
    const file = 'exif-orientation/Portrait_6.jpg'; // upright 1200 × 1800
    const task = makeTask(file, [outputSpec('t', 'WEBP', { width: 150 })]);
    const { placeholder } = assertOk(await processImage({ ...task, placeholders: true }));
    if (placeholder === undefined) throw new Error('no placeholder');

    const hash = Buffer.from(placeholder.thumbHash, 'base64');
    expect(hash.byteLength).toBeLessThan(40);
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(1200 / 1800, 1);
    // A ThumbHash is very blurred: compare it with a blurred direct thumbnail.
    const blurred = await direct(file, (i) => i.resize(32, 48).blur(4));
    expect(await perceptualDistance(await drawn(placeholder.thumbHash), blurred)).toBeLessThan(20);
  });

  it('name the dominant colour as libvips finds it on the source', async () => {
    const file = 'sharp/Flag_of_the_Netherlands.png';
    const task = makeTask(file, [outputSpec('p', 'PNG')]);
    const { placeholder } = assertOk(await processImage({ ...task, placeholders: true }));
    const { dominant } = await sharp(new Uint8Array(await direct(file))).stats();
    const hex = (value: number) => value.toString(16).padStart(2, '0');
    const expected = `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`;

    expect(placeholder?.dominantColour).toBe(expected);
  });

  it('take the dominant colour from the visible pixels of a transparent source', async () => {
    const file = 'sharp/rotating-squares.gif'; // coloured squares on a clear ground
    const task = makeTask(file, [outputSpec('p', 'PNG')]);
    const { placeholder } = assertOk(await processImage({ ...task, placeholders: true }));
    const colour = placeholder?.dominantColour ?? '';
    const [r, g, b] = [1, 3, 5].map((at) => Number.parseInt(colour.slice(at, at + 2), 16));

    // The mean colour of the pixels one can see on the first frame.
    const { data } = await sharp(readFileSync(new URL(file, CORPUS)))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const sums = [0, 0, 0];
    let seen = 0;
    for (let at = 0; at < data.length; at += 4) {
      if ((data[at + 3] ?? 0) < 128) continue;
      for (const channel of [0, 1, 2]) {
        sums[channel] = (sums[channel] ?? 0) + (data[at + channel] ?? 0);
      }
      seen += 1;
    }
    const mean = sums.map((sum) => sum / seen);

    expect(seen).toBeGreaterThan(0);
    [r, g, b].forEach((value, channel) => {
      expect(Math.abs((value ?? 0) - (mean[channel] ?? 0))).toBeLessThan(48);
    });
  });
});
