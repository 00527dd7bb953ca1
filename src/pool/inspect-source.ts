import sharp from 'sharp';
import type { Metadata } from 'sharp';

import { ImageError, toDecodeError } from './image-error.ts';
import type { Size } from './plan-outputs.ts';
import type { ProcessTaskLimits } from './task.ts';

export interface SourceHeader {
  /** The decoder sharp picked, e.g. `jpeg`, `png`, `heif`. */
  format: string;
  /** Upright size of the first page, after EXIF orientation. */
  upright: Size;
  /** Pixels in the first page: what one decode costs and what usage meters. */
  pagePixels: number;
  /** The raw EXIF block, for outputs that keep some of it. */
  exif: Buffer | undefined;
}

/** Rejects a limit that would silently turn sharp's own pixel check off (0 or false). */
export function assertLimits(limits: ProcessTaskLimits): void {
  const max = limits.maxInputPixels;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RangeError(`limits.maxInputPixels must be a positive integer, got ${max}`);
  }
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
  };
}
