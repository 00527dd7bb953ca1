import type { Sharp } from 'sharp';

import { DEFAULT_ENCODING, type EncodingSpec } from './output-options.ts';
import type { OutputFormat, OutputSpec } from './task.ts';

/**
 * The largest side each encoder takes, as sharp enforces it (PNG and TIFF
 * have no limit of their own; libvips caps any image side at 10,000,000).
 * GIF stores sides in 16 bits. For an animated output, it is a frame's side.
 */
export const MAX_SIDE: Readonly<Record<OutputFormat, number>> = {
  JPEG: 65_535,
  PNG: 10_000_000,
  WEBP: 16_383,
  AVIF: 16_384,
  GIF: 65_535,
  TIFF: 10_000_000,
};

/** A TIFF with JPEG compression holds JPEG tiles, with JPEG's limit. */
export const MAX_SIDE_TIFF_JPEG = MAX_SIDE.JPEG;

/** How an animated output plays: its loop count and each frame's delay. */
export interface Animation {
  loop: number;
  delay: number[];
}

/** Adds the encoder for `format`, with the output's quality and encoder settings. */
export function withEncoder(
  image: Sharp,
  format: OutputFormat,
  spec: OutputSpec,
  animation: Animation | null = null,
): Sharp {
  const { quality } = spec;
  const encoding: EncodingSpec = spec.encoding ?? DEFAULT_ENCODING;
  const plays = animation ?? {};
  switch (format) {
    case 'JPEG': {
      const { progressive, chromaSubsampling } = encoding.jpeg;
      // mozjpeg's trellis quantisation made a 1280-px encode ~6x slower here
      // for a file ~15% smaller at the same setting; JPEG is the cheap path.
      return image.jpeg({ quality, mozjpeg: false, progressive, chromaSubsampling });
    }
    case 'PNG': {
      // Lossless unless quantised to a palette, where quality bounds the loss.
      const { compressionLevel, palette } = encoding.png;
      return image.png({ compressionLevel, palette, ...(palette ? { quality } : {}) });
    }
    case 'WEBP':
      return image.webp({ quality, ...encoding.webp, ...plays });
    case 'AVIF':
      return image.avif({ quality, ...encoding.avif });
    case 'GIF': {
      // Alpha becomes one palette entry: GIF has 1-bit transparency only.
      // Duplicate frames are kept so the output has the source's frame count.
      const gif = encoding.gif ?? DEFAULT_ENCODING.gif;
      return image.gif({ ...gif, ...plays, keepDuplicateFrames: true });
    }
    case 'TIFF': {
      const { compression } = encoding.tiff ?? DEFAULT_ENCODING.tiff;
      // The horizontal predictor makes LZW and DEFLATE smaller on photographs.
      const predictor = compression === 'LZW' || compression === 'DEFLATE' ? 'horizontal' : 'none';
      return image.tiff({ compression: compression.toLowerCase(), predictor, quality });
    }
  }
}
