import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import type { Rgba } from '../../src/pool/output-options.ts';
import {
  CORPUS,
  assertOk,
  channelMeans,
  direct,
  inspectOutput,
  makeTask,
  onlyOutput,
  outputData,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const CMYK_PROFILED = 'sharp/Channel_digital_image_CMYK_color.jpg';
const CMYK_NO_PROFILE = 'sharp/Channel_digital_image_CMYK_color_no_profile.jpg';
const CMYK_ADOBE = 'pillow/pil_sample_cmyk.jpg';

/** An encoded image with every channel inverted: what a CMYK decode gone wrong looks like. */
async function inverted(data: ArrayBuffer): Promise<ArrayBuffer> {
  const bytes = await sharp(new Uint8Array(data)).negate({ alpha: false }).png().toBuffer();
  return new Uint8Array(bytes).buffer;
}

/** The largest difference between two lists of channel means. */
function meanGap(a: number[], b: number[]): number {
  return Math.max(...a.slice(0, 3).map((value, c) => Math.abs(value - (b[c] ?? 0))));
}

/** [r, g, b] of the pixel at (left, top), alpha dropped. */
async function rgbAt(data: ArrayBuffer, left: number, top: number): Promise<number[]> {
  const raw = await sharp(new Uint8Array(data))
    .removeAlpha()
    .extract({ left, top, width: 1, height: 1 })
    .raw()
    .toBuffer();
  return [...raw];
}

describe('CMYK sources', () => {
  it('come out sRGB, matching a colour-managed decode and not inverted', async () => {
    const jpeg = onlyOutput(
      await processImage(makeTask(CMYK_PROFILED, [outputSpec('j', 'JPEG', { width: 250 })])),
    ).data;
    // libvips' own conversion through the embedded profile: the trusted reference.
    const reference = await direct(CMYK_PROFILED, (image) => image.resize(250));

    expect(await inspectOutput(jpeg)).toMatchObject({ space: 'srgb', channels: 3, width: 250 });
    expect(await perceptualDistance(jpeg, reference)).toBeLessThan(3);
    expect(meanGap(await channelMeans(jpeg), await channelMeans(reference))).toBeLessThan(4);
    // The check can tell: the same output inverted is far from the reference.
    expect(await perceptualDistance(await inverted(jpeg), reference)).toBeGreaterThan(40);
  });

  it('without a profile, come out close to the profiled copy of the same photo', async () => {
    const outputs = [outputSpec('p', 'PNG', { width: 250 })];
    const bare = onlyOutput(await processImage(makeTask(CMYK_NO_PROFILE, outputs))).data;
    const profiled = onlyOutput(await processImage(makeTask(CMYK_PROFILED, outputs))).data;

    expect(await inspectOutput(bare)).toMatchObject({ space: 'srgb', channels: 3 });
    // The fallback profile is not the embedded one, so colours shift a little.
    expect(await perceptualDistance(bare, profiled)).toBeLessThan(15);
    expect(meanGap(await channelMeans(bare), await channelMeans(profiled))).toBeLessThan(15);
    expect(await perceptualDistance(await inverted(bare), profiled)).toBeGreaterThan(40);
  });

  it('in the Adobe (inverted) convention show their content the right way round', async () => {
    // Pillow's own test of this file: red in the top-left corner, black in the bottom-right.
    const png = onlyOutput(await processImage(makeTask(CMYK_ADOBE, [outputSpec('p', 'PNG')])));

    expect(await inspectOutput(png.data)).toMatchObject({ space: 'srgb', width: 100 });
    const [red = 0, green = 0, blue = 0] = await rgbAt(png.data, 0, 0);
    expect(red).toBeGreaterThan(180);
    expect(Math.max(green, blue)).toBeLessThan(80);
    expect(Math.max(...(await rgbAt(png.data, 99, 99)))).toBeLessThan(60);
    // Mostly black: an inverted decode would be mostly white.
    const means = await channelMeans(png.data);
    expect(Math.max(...means.slice(0, 3))).toBeLessThan(80);
  });
});

/** The source's mean colour laid over `background`, computed without libvips' flatten(). */
async function meansOver(file: string, background: Rgba): Promise<number[]> {
  const { data, info } = await sharp(readFileSync(new URL(file, CORPUS)))
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const under = [background.r, background.g, background.b];
  const sums = [0, 0, 0];
  for (let at = 0; at < data.length; at += info.channels) {
    const alpha = (data[at + 3] ?? 0) / 255;
    for (let c = 0; c < 3; c += 1) {
      sums[c] = (sums[c] ?? 0) + (data[at + c] ?? 0) * alpha + (under[c] ?? 0) * (1 - alpha);
    }
  }
  return sums.map((sum) => sum / (info.width * info.height));
}

const TEAL: Rgba = { r: 0, g: 128, b: 128, alpha: 1 };
const BLACK: Rgba = { r: 0, g: 0, b: 0, alpha: 1 };

describe('transparent PNGs to JPEG', () => {
  for (const file of ['pngsuite/basn6a08.png', 'pngsuite/basn6a16.png']) {
    it(`flatten ${file} onto the CONTAIN background asked for, never black`, async () => {
      // A square source in a square box: the whole output is the image, no letterbox.
      const box = { width: 32, height: 32, fit: 'CONTAIN' as const };
      const spec = outputSpec('j', 'JPEG', { ...box, resize: { background: TEAL } });
      const jpeg = onlyOutput(await processImage(makeTask(file, [spec]))).data;
      const actual = await channelMeans(jpeg);

      expect(await inspectOutput(jpeg)).toMatchObject({ channels: 3, depth: 'uchar' });
      expect(meanGap(actual, await meansOver(file, TEAL))).toBeLessThan(6);
      expect(meanGap(actual, await meansOver(file, BLACK))).toBeGreaterThan(30);
    });
  }

  it('letterbox and see-through pixels take the background, over white if clear', async () => {
    const half = { r: 255, g: 0, b: 0, alpha: 0.5 };
    const spec = outputSpec('j', 'JPEG', {
      width: 64,
      height: 32,
      fit: 'CONTAIN',
      resize: { background: half },
    });
    const jpeg = onlyOutput(await processImage(makeTask('sharp/full-transparent.png', [spec])));

    // Half-clear red over white: pink, in the letterbox and the (clear) image alike.
    const pink = [255, 128, 128];
    for (const [left, top] of [
      [2, 16],
      [32, 16],
      [61, 16],
    ] as const) {
      const pixel = await rgbAt(jpeg.data, left, top);
      expect(meanGap(pixel, pink)).toBeLessThan(8);
    }
  });
});

describe('16-bit PNGs', () => {
  it.each([
    ['pngsuite/basn2c16.png', 'PNG'],
    ['pngsuite/basn4a16.png', 'PNG'],
    ['pngsuite/basn0g16.png', 'JPEG'],
    ['pngsuite/basn6a16.png', 'WEBP'],
  ] as const)('%s comes out 8-bit %s with its colours', async (file, format) => {
    const result = assertOk(await processImage(makeTask(file, [outputSpec('o', format)])));
    const data = outputData(result, 'o');
    const reference = await direct(file, (image) =>
      format === 'JPEG' ? image.flatten({ background: '#ffffff' }) : image,
    );

    expect(await inspectOutput(data)).toMatchObject({ depth: 'uchar', width: 32, height: 32 });
    expect(await perceptualDistance(data, reference)).toBeLessThan(format === 'WEBP' ? 4 : 2);
    expect(meanGap(await channelMeans(data), await channelMeans(reference))).toBeLessThan(4);
  });
});
