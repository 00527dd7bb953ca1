import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';

import type { DecodedSource } from './decode-source.ts';
import { ImageError, toEncodeError } from './image-error.ts';
import type { OutputPlan, Size } from './plan-outputs.ts';
import type { OutputFormat, OutputSpec, ProcessedOutput } from './task.ts';

/**
 * The largest side each encoder takes, as sharp enforces it (PNG has no limit
 * of its own; libvips caps any image side at 10,000,000). Checked while
 * planning, so an impossible output fails before the decode is paid for.
 */
const MAX_SIDE: Readonly<Record<OutputFormat, number>> = {
  JPEG: 65_535,
  PNG: 10_000_000,
  WEBP: 16_383,
  AVIF: 16_384,
};

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const CLEAR = { r: 0, g: 0, b: 0, alpha: 0 };

export function assertEncodable(plan: OutputPlan, maxOutputPixels: number): void {
  const max = MAX_SIDE[plan.spec.format];
  const { width, height } = plan.final;
  if (width * height > maxOutputPixels) {
    throw new ImageError(
      'OUTPUT_TOO_LARGE',
      `output ${plan.spec.id} would be ${width}x${height}; at most ${maxOutputPixels} pixels`,
    );
  }
  if (width > max || height > max) {
    throw new ImageError(
      'OUTPUT_TOO_LARGE',
      `output ${plan.spec.id} would be ${width}x${height}; ${plan.spec.format} allows ${max}`,
    );
  }
}

function withEncoder(image: Sharp, spec: OutputSpec): Sharp {
  switch (spec.format) {
    case 'JPEG':
      // mozjpeg's trellis quantisation made a 1280-px encode ~6x slower here
      // for a file ~15% smaller at the same setting; JPEG is the cheap path.
      return image.jpeg({ quality: spec.quality, mozjpeg: false });
    case 'PNG':
      // Lossless: there is no quality to apply.
      return image.png();
    case 'WEBP':
      return image.webp({ quality: spec.quality });
    case 'AVIF':
      // At sharp's default effort 4 one 720-px AVIF costs 1.5-1.65 s of CPU,
      // about 60x a JPEG; effort 2 is 7-8x faster for files ~8% larger.
      return image.avif({ quality: spec.quality, effort: 2 });
  }
}

/** Offsets that centre `inner` in `outer` on each axis. */
function centre(inner: Size, outer: Size): { left: number; top: number } {
  return {
    left: Math.floor(Math.abs(outer.width - inner.width) / 2),
    top: Math.floor(Math.abs(outer.height - inner.height) / 2),
  };
}

/**
 * A transfer must move whole ArrayBuffers; a view into a larger or pooled
 * buffer would be copied whole instead (or refused), so copy just the bytes.
 */
function toStandalone(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes;
  const whole = bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength;
  if (whole && buffer instanceof ArrayBuffer) return buffer;
  return bytes.slice().buffer;
}

export async function encodeOutput(
  decoded: DecodedSource,
  plan: OutputPlan,
): Promise<ProcessedOutput> {
  const { spec, scaled, canvas, final } = plan;
  const jpeg = spec.format === 'JPEG';
  // These pixels are our own decode, already held within the job's limit.
  const image = sharp(decoded.pixels, {
    raw: { width: decoded.width, height: decoded.height, channels: decoded.channels },
    limitInputPixels: false,
  });

  if (jpeg) image.flatten({ background: WHITE });
  if (scaled.width !== decoded.width || scaled.height !== decoded.height) {
    image.resize(scaled.width, scaled.height, { fit: 'fill' });
  }

  // Called after resize(), extract() crops the resized image, as COVER does.
  const { left, top } = centre(scaled, final);
  if (canvas === 'crop') image.extract({ left, top, ...final });
  if (canvas === 'embed') {
    const right = final.width - scaled.width - left;
    const bottom = final.height - scaled.height - top;
    image.extend({ left, top, right, bottom, background: jpeg ? WHITE : CLEAR });
  }

  let encoded: { data: Uint8Array; info: OutputInfo };
  try {
    encoded = await withEncoder(image, spec).toUint8Array();
  } catch (error: unknown) {
    throw toEncodeError(error);
  }

  const { data, info } = encoded;
  return {
    id: spec.id,
    format: spec.format,
    width: info.width,
    height: info.height,
    data: toStandalone(data),
  };
}
