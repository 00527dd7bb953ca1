import sharp from 'sharp';
import type { Metadata } from 'sharp';

import { ImageError, toDecodeError } from './image-error.ts';
import type { Size } from './plan-outputs.ts';
import { DEFAULT_MAX_FRAMES, type ProcessTaskLimits } from './task.ts';

/** How an animated source plays. */
export interface SourceAnimation {
  frames: number;
  /** 0 plays forever. */
  loop: number;
  /** Each frame's delay in milliseconds. */
  delay: number[];
}

/**
 * Only GIF and WEBP frames are an animation. libvips reads an APNG as a still
 * PNG, and a multi-page TIFF's pages may differ in size: both stay stills.
 */
const ANIMATED_SOURCES = new Set(['gif', 'webp']);

/**
 * Browsers play a GIF frame delay of 10 ms or less (often 0, "as fast as
 * possible") as 100 ms, and libwebp writes such delays as 100 ms; taking them
 * as 100 ms here makes GIF and WEBP outputs of one source play alike, and
 * their duration what a viewer sees. A missing delay is libvips' 100 ms too.
 */
const SHORTEST_DELAY_MS = 11;
const DEFAULT_DELAY_MS = 100;

export interface SourceHeader {
  /** The decoder sharp picked, e.g. `jpeg`, `png`, `heif`. */
  format: string;
  /** Upright size of the first page, after EXIF orientation. */
  upright: Size;
  /** Pixels in the first page: what one decode costs and what usage meters. */
  pagePixels: number;
  /** The raw EXIF block, for outputs that keep some of it. */
  exif: Buffer | undefined;
  /** Set for an animated GIF or WEBP with more than one frame. */
  animation: SourceAnimation | null;
  /** The source carries an Ultra HDR gain map (JPEG only). */
  hasGainMap: boolean;
}

/** Rejects a limit that would silently turn sharp's own pixel check off (0 or false). */
export function assertLimits(limits: ProcessTaskLimits): void {
  const max = limits.maxInputPixels;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(`limits.maxInputPixels must be a positive integer, got ${max}`);
  }
  const frames = limits.maxFrames ?? DEFAULT_MAX_FRAMES;
  if (!Number.isSafeInteger(frames) || frames < 1) {
    throw new RangeError(`limits.maxFrames must be a positive integer, got ${frames}`);
  }
}

function animationOf(metadata: Metadata): SourceAnimation | null {
  const frames = metadata.pages ?? 1;
  if (frames < 2 || !ANIMATED_SOURCES.has(metadata.format)) return null;
  // sharp cannot turn a multi-page image a quarter (or mirror it reliably):
  // an animated WEBP with an EXIF orientation is made from its first frame.
  if ((metadata.orientation ?? 1) !== 1) return null;
  const declared = metadata.delay ?? [];
  const delay = Array.from({ length: frames }, (_, at) => {
    const ms = declared[at] ?? DEFAULT_DELAY_MS;
    return ms < SHORTEST_DELAY_MS ? DEFAULT_DELAY_MS : ms;
  });
  return { frames, loop: metadata.loop ?? 0, delay };
}

/**
 * Reads the header only, and refuses a source whose width × height × pages is
 * over the limit before a single pixel is decoded. BigInt keeps the product
 * exact: a 65536 × 65536 PNG overflows 32 bits, and pages multiply it further.
 */
export async function inspectSource(
  input: Buffer,
  limits: ProcessTaskLimits,
): Promise<SourceHeader> {
  let metadata: Metadata;
  try {
    // sharp's own limit ignores pages, so it is off here and checked below.
    // As strict as the decode it guards: a damaged later frame of a GIF must
    // not fail a job that uses only the first.
    metadata = await sharp(input, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (error: unknown) {
    throw toDecodeError(error);
  }

  const { width, height, format } = metadata;
  const pages = metadata.pages ?? 1;
  const maxFrames = limits.maxFrames ?? DEFAULT_MAX_FRAMES;
  if (pages > maxFrames) {
    throw new ImageError(
      'TOO_MANY_FRAMES',
      `${pages} frames is over the limit of ${maxFrames}`,
    );
  }
  const declared = BigInt(width) * BigInt(height) * BigInt(pages);
  if (declared > BigInt(limits.maxInputPixels)) {
    throw new ImageError(
      'PIXEL_LIMIT_EXCEEDED',
      `${width}x${height}x${pages} pixels is over the limit of ${limits.maxInputPixels}`,
    );
  }

  return {
    format,
    upright: { width: metadata.autoOrient.width, height: metadata.autoOrient.height },
    pagePixels: width * height,
    exif: metadata.exif,
    animation: animationOf(metadata),
    hasGainMap: metadata.gainMap !== undefined,
  };
}
