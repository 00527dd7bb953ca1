import { rgbaToThumbHash } from 'thumbhash';

import { fromPixels } from './apply-geometry.ts';
import type { DecodedSource } from './decode-source.ts';
import type { Placeholder } from './task.ts';

/** ThumbHash encodes at most 100 × 100 pixels; more would only cost time. */
const THUMBHASH_SIDE = 100;

const hex = (value: number) => Math.round(value).toString(16).padStart(2, '0');

/**
 * What a client shows while the real image loads: its dominant colour and a
 * ThumbHash (https://evanw.github.io/thumbhash/), both from the job's shared
 * decode of the upright source, so they cost no decode of their own.
 */
export async function makePlaceholder(decoded: DecodedSource): Promise<Placeholder> {
  const small = await fromPixels(decoded)
    .resize(THUMBHASH_SIDE, THUMBHASH_SIDE, { fit: 'inside', withoutEnlargement: true })
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height } = small.info;
  const hash = rgbaToThumbHash(width, height, small.data);

  // libvips' dominant colour: the most populated bin of a 16-level-per-channel histogram.
  const { dominant } = await fromPixels(decoded).stats();
  return {
    dominantColour: `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`,
    thumbHash: Buffer.from(hash).toString('base64'),
  };
}
