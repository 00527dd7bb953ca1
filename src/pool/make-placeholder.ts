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

  const dominant =
    (await visibleDominant(decoded)) ?? (await fromPixels(decoded).stats()).dominant;
  return {
    dominantColour: `#${hex(dominant.r)}${hex(dominant.g)}${hex(dominant.b)}`,
    thumbHash: Buffer.from(hash).toString('base64'),
  };
}

/** Bins per channel, as libvips' own dominant colour uses (16 × 16 × 16). */
const LEVELS = 16;
const BIN = 256 / LEVELS;
/** Pixels at least this opaque count as seen. */
const VISIBLE_ALPHA = 128;
/** The side the histogram of a transparent source is taken at: plenty for one colour. */
const HISTOGRAM_SIDE = 256;

/**
 * libvips' dominant colour counts every pixel, clear ones too, so a logo on a
 * transparent ground came out as the (black) colour of its invisible pixels.
 * For a source with transparency it is taken here over the pixels one can
 * see, with the same bins; null for an opaque source (libvips' answer stands)
 * and for one with no visible pixel at all.
 */
async function visibleDominant(decoded: DecodedSource) {
  if (decoded.channels !== 4) return null;
  const { data } = await fromPixels(decoded)
    .resize(HISTOGRAM_SIDE, HISTOGRAM_SIDE, { fit: 'inside', withoutEnlargement: true })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });

  const counts = new Uint32Array(LEVELS ** 3);
  let opaque = true;
  for (let at = 0; at + 3 < data.length; at += 4) {
    const alpha = data[at + 3] ?? 0;
    if (alpha < 255) opaque = false;
    if (alpha < VISIBLE_ALPHA) continue;
    const bin = (channel: number) => Math.floor((data[at + channel] ?? 0) / BIN);
    const index = (bin(0) * LEVELS + bin(1)) * LEVELS + bin(2);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  if (opaque) return null;

  let best = -1;
  let bestCount = 0;
  counts.forEach((count, index) => {
    if (count > bestCount) [best, bestCount] = [index, count];
  });
  if (best < 0) return null;
  const centre = (level: number) => level * BIN + BIN / 2;
  return {
    r: centre(Math.floor(best / (LEVELS * LEVELS))),
    g: centre(Math.floor(best / LEVELS) % LEVELS),
    b: centre(best % LEVELS),
  };
}
