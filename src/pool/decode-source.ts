import sharp from 'sharp';
import type { OutputInfo } from 'sharp';

import { toDecodeError } from './image-error.ts';
import type { Size } from './plan-outputs.ts';
import type { ProcessTaskLimits } from './task.ts';

/** Upright, 8-bit sRGB pixels (3 channels, or 4 with alpha), not premultiplied. */
export interface DecodedSource {
  pixels: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

/**
 * The job's one decode. Shrink-on-load (JPEG DCT scaling, WebP and SVG scale)
 * applies when `size` is below the source, so a small output never pays for
 * a full-size decode. Every output is then made from these pixels.
 *
 * Converting to 8-bit sRGB here, once, means no later step works on 16-bit
 * samples: flattening alpha at 16 bit has turned backgrounds black before.
 */
export async function decodeSource(
  input: Buffer,
  upright: Size,
  size: Size,
  limits: ProcessTaskLimits,
): Promise<DecodedSource> {
  const image = sharp(input, {
    // 'error' fails truncated and damaged data (libjpeg "premature end",
    // libpng read errors, bad TIFF code words) instead of returning grey or
    // half-drawn pixels. 'warning' would also refuse common camera JPEGs
    // with harmless extraneous bytes.
    failOn: 'error',
    limitInputPixels: limits.maxInputPixels,
    autoOrient: true,
    // The first frame or page only, until animation is supported.
    pages: 1,
  });

  if (size.width !== upright.width || size.height !== upright.height) {
    image.resize(size.width, size.height, { fit: 'fill' });
  }

  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await image
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error: unknown) {
    throw toDecodeError(error);
  }

  const { data, info } = result;
  if (info.channels !== 3 && info.channels !== 4) {
    throw new Error(`expected 3 or 4 channels after sRGB conversion, got ${info.channels}`);
  }
  return { pixels: data, width: info.width, height: info.height, channels: info.channels };
}
