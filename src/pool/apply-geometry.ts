import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';

import type { DecodedSource } from './decode-source.ts';
import type { Region, Rgba } from './output-options.ts';
import type { OutputPlan, Size } from './plan-outputs.ts';

/** The shared decode as sharp input: our own pixels, already within the job's limit. */
export function fromPixels(decoded: DecodedSource): Sharp {
  const { width, height, channels } = decoded;
  return sharp(decoded.pixels, { raw: { width, height, channels }, limitInputPixels: false });
}

/** Runs a pipeline to 8-bit pixels, the shape every later step takes. */
export async function toPixels(image: Sharp): Promise<DecodedSource & { info: OutputInfo }> {
  const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 && info.channels !== 4) {
    throw new Error(`expected 3 or 4 channels after geometry, got ${info.channels}`);
  }
  return { pixels: data, width: info.width, height: info.height, channels: info.channels, info };
}

const MIN_TRIM_SIDE = 3;

/** What trim found in one frame, applied as it is to the others. */
async function trimOnce(
  pixels: DecodedSource,
  threshold: number,
  decided: GeometryDecisions,
): Promise<DecodedSource> {
  if (decided.trim !== undefined) return toPixels(fromPixels(pixels).extract(decided.trim));

  // libvips refuses to trim an image under 3 × 3 pixels; there is no border
  // to take off one that small, so it is kept whole.
  const { width, height } = pixels;
  if (width < MIN_TRIM_SIDE || height < MIN_TRIM_SIDE) {
    decided.trim = { left: 0, top: 0, width, height };
    return pixels;
  }

  const trimmed = await toPixels(fromPixels(pixels).trim({ threshold }));
  // sharp reports the offsets as negative numbers: where the old origin now lies.
  const left = -(trimmed.info.trimOffsetLeft ?? 0);
  const top = -(trimmed.info.trimOffsetTop ?? 0);
  decided.trim = { left, top, width: trimmed.width, height: trimmed.height };
  return trimmed;
}

const asColour = ({ r, g, b, alpha }: Rgba) => ({ r, g, b, alpha });

/**
 * The crop in pixels of the decode, which may be smaller than the source:
 * the region is scaled by the decode's ratio on each axis. Its edges land on
 * whole decode pixels, so they may sit up to half a decode pixel from where
 * a full-resolution crop puts them; rounding (not flooring) keeps it to half.
 */
function cropInDecode(decoded: DecodedSource, plan: OutputPlan, source: Size) {
  const x = decoded.width / source.width;
  const y = decoded.height / source.height;
  const { region } = plan.geometry;
  const left = Math.min(decoded.width - 1, Math.round(region.left * x));
  const top = Math.min(decoded.height - 1, Math.round(region.top * y));
  return {
    left,
    top,
    width: Math.max(1, Math.min(decoded.width - left, Math.round(region.width * x))),
    height: Math.max(1, Math.min(decoded.height - top, Math.round(region.height * y))),
  };
}

/**
 * Choices that depend on the pixels, made on an animation's first frame and
 * kept for the others, so every frame is cut the same way. Filled in by the
 * first call that needs one.
 */
export interface GeometryDecisions {
  /** The trimmed box, in pixels of the cropped frame. */
  trim?: Region;
}

/**
 * An output's crop, trim, flip, flop and rotation, applied to the job's shared
 * decode. Each step that is asked for is its own libvips pipeline, so the
 * order is ours (crop, trim, flip, flop, rotate) and not sharp's internal one;
 * outputs without geometry skip this and use the decode as it is.
 */
export async function applyGeometry(
  decoded: DecodedSource,
  plan: OutputPlan,
  source: Size,
  decided: GeometryDecisions = {},
): Promise<DecodedSource> {
  const geometry = plan.spec.geometry ?? null;
  if (geometry === null) return decoded;
  let pixels = decoded;

  const { region } = plan.geometry;
  const whole = region.width === source.width && region.height === source.height;
  if (!whole) {
    pixels = await toPixels(fromPixels(pixels).extract(cropInDecode(pixels, plan, source)));
  }

  if (geometry.trim !== null) {
    pixels = await trimOnce(pixels, geometry.trim.threshold, decided);
  }

  const rotate = geometry.rotate;
  const turns = rotate !== null && rotate.angle % 360 !== 0;
  if (!geometry.flip && !geometry.flop && !turns) return pixels;

  const image = fromPixels(pixels);
  if (geometry.flip) image.flip();
  if (geometry.flop) image.flop();
  if (rotate !== null && turns) {
    // Corners a free angle uncovers keep their transparency only with alpha;
    // a quarter turn uncovers none, and needs no alpha channel.
    const free = rotate.angle % 90 !== 0;
    if (free && rotate.background.alpha < 1) image.ensureAlpha();
    image.rotate(rotate.angle, { background: asColour(rotate.background) });
  }
  return toPixels(image);
}
