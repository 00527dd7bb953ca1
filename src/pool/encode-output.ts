import sharp from 'sharp';
import type { OutputInfo, Sharp } from 'sharp';

import { applyGeometry, fromPixels, toPixels } from './apply-geometry.ts';
import { applyWatermark, type WatermarkContext } from './apply-watermark.ts';
import type { DecodedSource } from './decode-source.ts';
import { animatedFormat, renderFrames } from './encode-animation.ts';
import { gainMapPipeline, keepsGainMap } from './encode-gain-map.ts';
import { MAX_SIDE, MAX_SIDE_TIFF_JPEG, withEncoder, type Animation } from './encoders.ts';
import { ImageError, toEncodeError } from './image-error.ts';
import { applyKeptMetadata } from './keep-metadata.ts';
import { planResize, type OutputPlan, type Size } from './plan-outputs.ts';
import { renderOutput } from './render-output.ts';
import {
  AUTO_OPAQUE_FORMATS,
  AUTO_TRANSPARENT_FORMATS,
  type OutputFormat,
  type OutputSpec,
  type ProcessedOutput,
} from './task.ts';

/** AUTO is held to the smallest limit among its candidates (WEBP's 16383). */
function maxSide(spec: OutputSpec): number {
  if (spec.format === 'TIFF' && spec.encoding?.tiff?.compression === 'JPEG') {
    return MAX_SIDE_TIFF_JPEG;
  }
  if (spec.pickSmallest !== true) return MAX_SIDE[spec.format];
  const candidates = [...AUTO_OPAQUE_FORMATS, ...AUTO_TRANSPARENT_FORMATS];
  return Math.min(...candidates.map((format) => MAX_SIDE[format]));
}

const formatName = (spec: OutputSpec) => (spec.pickSmallest === true ? 'AUTO' : spec.format);

/** Checked while planning, so an impossible output fails before the decode is paid for. */
export function assertEncodable(plan: OutputPlan, maxOutputPixels: number): void {
  const max = maxSide(plan.spec);
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
      `output ${plan.spec.id} would be ${width}x${height}; ${formatName(plan.spec)} allows ${max}`,
    );
  }
}

/**
 * A job keeps every output it has encoded until the last is done, so their
 * total, not each one's size, is what a job costs in memory.
 */
export function assertJobOutputs(
  plans: readonly OutputPlan[],
  framesOf: (plan: OutputPlan) => number,
  maxJobOutputPixels: number | undefined,
): void {
  if (maxJobOutputPixels === undefined) return;
  const total = plans.reduce(
    (sum, plan) => sum + plan.final.width * plan.final.height * framesOf(plan),
    0,
  );
  if (total > maxJobOutputPixels) {
    throw new ImageError(
      'OUTPUT_TOO_LARGE',
      `the outputs would be ${total} pixels together; at most ${maxJobOutputPixels} per job`,
    );
  }
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

interface Encoded {
  format: OutputFormat;
  data: Uint8Array;
  info: OutputInfo;
}

/** What every output of a job shares besides the decoded pixels. */
export interface OutputContext {
  /** The upright source size the plans were made for. */
  source: Size;
  maxOutputPixels: number;
  /** The source's EXIF block, for outputs that keep some of it. */
  exif: Buffer | undefined;
  watermarks: WatermarkContext;
  /** How the source plays, when it is animated and its frames were decoded. */
  animation: Animation | null;
  /** The encoded source, for outputs that keep its gain map (see encode-gain-map.ts). */
  input: Buffer;
  hasGainMap: boolean;
  maxInputPixels: number;
}

async function encode(
  image: Sharp,
  format: OutputFormat,
  plan: OutputPlan,
  context: OutputContext,
  animation: Animation | null = null,
): Promise<Encoded> {
  applyKeptMetadata(image, plan.spec.keepMetadata, context.exif);
  try {
    const { data, info } = await withEncoder(image, format, plan.spec, animation).toUint8Array();
    return { format, data, info };
  } catch (error: unknown) {
    throw toEncodeError(error);
  }
}

function isOpaque(pixels: DecodedSource): boolean {
  if (pixels.channels === 3) return true;
  for (let at = 3; at < pixels.pixels.length; at += 4) {
    if (pixels.pixels[at] !== 255) return false;
  }
  return true;
}

/**
 * AUTO renders the output once, then encodes it in each candidate format at
 * the requested quality and keeps the smallest. JPEG is a candidate only when
 * every pixel is opaque; otherwise PNG takes its place, so transparency stays.
 * It costs one encode per candidate, AVIF's (effort 2) being the dearest.
 */
async function encodeSmallest(
  pixels: DecodedSource,
  plan: OutputPlan,
  context: OutputContext,
): Promise<Encoded> {
  const rendered = await applyWatermark(
    await toPixels(renderOutput(pixels, plan, { flatten: false })),
    plan.spec.watermark,
    context.watermarks,
  );
  const { channels } = rendered;
  const candidates = isOpaque(rendered) ? AUTO_OPAQUE_FORMATS : AUTO_TRANSPARENT_FORMATS;

  let best: Encoded | null = null;
  for (const format of candidates) {
    const image = fromPixels(rendered);
    if (channels === 4 && format === 'JPEG') image.removeAlpha();
    const encoded = await encode(image, format, plan, context);
    if (best === null || encoded.data.byteLength < best.data.byteLength) best = encoded;
  }
  if (best === null) throw new Error('AUTO has no candidate formats');
  return best;
}

/** An output in its one format; a watermark needs the rendered pixels first. */
async function renderSingle(
  pixels: DecodedSource,
  plan: OutputPlan,
  context: OutputContext,
): Promise<Sharp> {
  const { spec } = plan;
  // JPEG has no alpha; GIF keeps 1-bit transparency and TIFF keeps alpha.
  const image = renderOutput(pixels, plan, { flatten: spec.format === 'JPEG' });
  if (spec.watermark === null || spec.watermark === undefined) return image;
  const rendered = await toPixels(image);
  return fromPixels(await applyWatermark(rendered, spec.watermark, context.watermarks));
}

/** A trimming output's plan once its trimmed size is known. */
function replanTrimmed(planned: OutputPlan, context: OutputContext) {
  return (trimmed: Size): OutputPlan => {
    // Trimmed on a full-resolution decode, so its pixels are source pixels.
    const base = { width: trimmed.width, height: trimmed.height };
    const plan = planResize(planned.spec, { ...planned.geometry, base });
    assertEncodable(plan, context.maxOutputPixels);
    return plan;
  };
}

/**
 * How an encoded animation plays, read back from its own header: libwebp
 * merges identical consecutive frames (adding their delays), and writes a
 * still image when every frame is the same, so the source's numbers could
 * misdescribe a WEBP output.
 */
async function playback(data: Uint8Array) {
  const { pages = 1, loop = 0, delay = [] } = await sharp(data).metadata();
  if (pages < 2) return { frames: 1, loopCount: null, durationMs: null };
  return { frames: pages, loopCount: loop, durationMs: delay.reduce((sum, ms) => sum + ms, 0) };
}

/** Every frame through the output's pipeline, encoded as one animation. */
async function encodeAnimated(
  frames: readonly DecodedSource[],
  planned: OutputPlan,
  context: OutputContext,
  animation: Animation,
  format: OutputFormat,
): Promise<ProcessedOutput> {
  const replan = replanTrimmed(planned, context);
  const mark = (frame: DecodedSource) =>
    applyWatermark(frame, planned.spec.watermark, context.watermarks);
  const stack = await renderFrames(frames, planned, context.source, { replan, mark });
  const { width, pageHeight, channels } = stack;
  const image = sharp(stack.pixels, {
    raw: { width, height: pageHeight * stack.frames, channels: channels === 4 ? 4 : 3, pageHeight },
    limitInputPixels: false,
  });
  const { data } = await encode(image, format, stack.plan, context, animation);
  return {
    id: planned.spec.id,
    format,
    width,
    height: pageHeight,
    ...(await playback(data)),
    data: toStandalone(data),
  };
}

/**
 * Makes one output from the job's shared decode of the upright source: every
 * frame of it for an animated output, else the first (`frames[0]`).
 */
export async function encodeOutput(
  frames: readonly DecodedSource[],
  planned: OutputPlan,
  context: OutputContext,
): Promise<ProcessedOutput> {
  const animation = context.animation;
  const animated = animatedFormat(planned.spec);
  if (animation !== null && animated !== null && frames.length > 1) {
    return encodeAnimated(frames, planned, context, animation, animated);
  }

  const decoded = frames[0];
  if (decoded === undefined) throw new Error('a decode with no frames');
  let plan = planned;
  let pixels = decoded;
  if (!keepsGainMap(planned, context.hasGainMap)) {
    pixels = await applyGeometry(decoded, planned, context.source);
    if (planned.geometry.trims) plan = replanTrimmed(planned, context)(pixels);
  }

  const { spec } = plan;
  const { format, data, info } = await encodeStill(pixels, plan, context);
  return {
    id: spec.id,
    format,
    width: info.width,
    height: info.height,
    frames: 1,
    loopCount: null,
    durationMs: null,
    data: toStandalone(data),
  };
}

async function encodeStill(
  pixels: DecodedSource,
  plan: OutputPlan,
  context: OutputContext,
): Promise<Encoded> {
  const { spec } = plan;
  if (spec.pickSmallest === true) return encodeSmallest(pixels, plan, context);
  if (keepsGainMap(plan, context.hasGainMap)) {
    const image = gainMapPipeline(context.input, plan, context.maxInputPixels);
    return encode(image, spec.format, plan, context);
  }
  return encode(await renderSingle(pixels, plan, context), spec.format, plan, context);
}
