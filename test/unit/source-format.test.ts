import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { detectFormat } from '../../src/jobs/source-check.ts';
import { CORPUS } from '../support/test-app.ts';

const head = async (file: string) => (await readFile(new URL(file, CORPUS))).subarray(0, 4100);

describe('source format by magic bytes', () => {
  it.each([
    ['kodak/kodim01.png', 'PNG'],
    ['exif-orientation/Landscape_1.jpg', 'JPEG'],
    ['sharp/rotating-squares.webp', 'WEBP'],
    ['sharp/animated-loop-3.gif', 'GIF'],
    ['libvips/avif-orientation-6.avif', 'AVIF'],
    ['sharp/G31D_MULTI.TIF', 'TIFF'],
    ['libvips/logo.svg', 'SVG'],
    ['libvips/looks-like-svg.webp', 'WEBP'],
  ])('accepts %s as %s', async (file, format) => {
    expect(await detectFormat(await head(file))).toEqual({ accepted: true, name: format });
  });

  it.each([
    ['libvips/small.bmp', 'BMP'],
    ['libvips/ISO_12233-reschart.pdf', 'PDF'],
    ['sharp/relax.jp2', 'J2C'],
    ['libvips/favicon.ico', 'ICO'],
  ])('refuses %s, naming it %s', async (file, format) => {
    expect(await detectFormat(await head(file))).toEqual({ accepted: false, name: format });
  });

  it('refuses bytes that are no known format', async () => {
    expect(await detectFormat(new TextEncoder().encode('hello, world'))).toEqual({
      accepted: false,
      name: null,
    });
  });
});
