import type { Sharp } from 'sharp';

import { DEFAULT_ENCODING, type EncodingSpec } from './output-options.ts';
import type { OutputFormat, OutputSpec } from './task.ts';

/**
 * The largest side each encoder takes, as sharp enforces it (PNG has no limit
 * of its own; libvips caps any image side at 10,000,000).
 */
export const MAX_SIDE: Readonly<Record<OutputFormat, number>> = {
  JPEG: 65_535,
  PNG: 10_000_000,
  WEBP: 16_383,
  AVIF: 16_384,
};

/** Adds the encoder for `format`, with the output's quality and encoder settings. */
export function withEncoder(image: Sharp, format: OutputFormat, spec: OutputSpec): Sharp {
  const { quality } = spec;
  const encoding: EncodingSpec = spec.encoding ?? DEFAULT_ENCODING;
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
      return image.webp({ quality, ...encoding.webp });
    case 'AVIF':
      return image.avif({ quality, ...encoding.avif });
  }
}
