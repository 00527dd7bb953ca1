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
 * The frames of an animated decode, as views into its one buffer (no copy):
 * the first is what every still output is made from.
 */
function splitFrames(decoded: DecodedSource, frames: number): DecodedSource[] {
  const { width, channels } = decoded;
  const height = decoded.height / frames;
  const bytes = width * height * channels;
  return Array.from({ length: frames }, (_, at) => ({
    pixels: decoded.pixels.subarray(at * bytes, (at + 1) * bytes),
    width,
    height,
    channels,
  }));
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
  frames = 1,
): Promise<DecodedSource[]> {
  const image = sharp(input, {
    // 'error' fails truncated and damaged data (libjpeg "premature end",
    // libpng read errors, bad TIFF code words) instead of returning grey or
    // half-drawn pixels. 'warning' would also refuse common camera JPEGs
    // with harmless extraneous bytes.
    failOn: 'error',
    limitInputPixels: limits.maxInputPixels,
    autoOrient: true,
    // Every frame when some output is animated (`frames` > 1), else only the
    // first: a damaged later GIF frame then fails only animated outputs.
    pages: frames > 1 ? -1 : 1,
  });

  // sharp resizes a multi-page image frame by frame: the height is a frame's.
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
  const decoded = { pixels: data, width: info.width, height: info.height, channels: info.channels };
  if (frames === 1) return [decoded];
  if (decoded.height !== (info.pageHeight ?? 0) * frames) {
    throw new Error(`expected ${frames} frames of height ${info.pageHeight}, got ${info.height}`);
  }
  return splitFrames(decoded, frames);
}
