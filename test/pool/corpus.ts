/** Test helpers: read the shared corpus (never copied into the repo) and describe outputs. */
import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import type { Sharp } from 'sharp';

import type {
  Fit,
  OutputFormat,
  OutputSpec,
  ProcessResult,
  ProcessTask,
} from '../../src/pool/task.ts';

export const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

/** Well under the 280 MP giant JPEG, well over every ordinary corpus image. */
export const LIMIT_100_MP = 100_000_000;

/** A standalone copy, so a transfer detaches exactly this buffer. */
export function readSource(file: string): ArrayBuffer {
  return new Uint8Array(readFileSync(new URL(file, CORPUS))).buffer;
}

interface SpecOptions {
  width?: number | null;
  height?: number | null;
  fit?: Fit;
  enlarge?: boolean;
  quality?: number;
  /** Resize options beyond the box: position, gravity, background. */
  resize?: Partial<NonNullable<OutputSpec['resize']>>;
  /** Any other option groups: geometry, adjust, encoding, keepMetadata, pickSmallest. */
  more?: Partial<OutputSpec>;
}

export function outputSpec(
  id: string,
  format: OutputFormat,
  options: SpecOptions = {},
): OutputSpec {
  const { width = null, height = null, fit = 'INSIDE', enlarge = false } = options;
  const box = { width, height, fit, enlarge, ...options.resize };
  const resize = width === null && height === null ? null : box;
  return { id, format, quality: options.quality ?? 80, resize, ...options.more };
}

export function makeTask(
  file: string,
  outputs: OutputSpec[],
  maxInputPixels = LIMIT_100_MP,
): ProcessTask {
  return {
    source: readSource(file),
    outputs,
    limits: { maxInputPixels, maxOutputPixels: LIMIT_100_MP },
  };
}

export interface OutputFacts {
  format: string;
  width: number;
  height: number;
  channels: number;
  space: string;
  depth: string;
  hasAlpha: boolean;
  hasProfile: boolean;
  hasExif: boolean;
}

export async function inspectOutput(data: ArrayBuffer): Promise<OutputFacts> {
  const meta = await sharp(new Uint8Array(data)).metadata();
  return {
    format: meta.format,
    width: meta.width,
    height: meta.height,
    channels: meta.channels,
    space: meta.space,
    depth: meta.depth,
    hasAlpha: meta.hasAlpha,
    hasProfile: meta.hasProfile,
    hasExif: meta.exif !== undefined,
  };
}

/** Mean of each channel, 0–255. */
export async function channelMeans(data: ArrayBuffer): Promise<number[]> {
  const stats = await sharp(new Uint8Array(data)).stats();
  return stats.channels.map((channel) => channel.mean);
}

export type ProcessSuccess = Extract<ProcessResult, { ok: true }>;

/** Narrows a result to success, failing the test with the worker's code otherwise. */
export function assertOk(result: ProcessResult): ProcessSuccess {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

export function outputData(result: ProcessSuccess, id: string): ArrayBuffer {
  const output = result.outputs.find((candidate) => candidate.id === id);
  if (output === undefined) throw new Error(`no output ${id}`);
  return output.data;
}

/**
 * Decoded in full before the resize: JPEG shrink-on-load (fast or not) on the
 * way to 32×32 once put a JPEG 10 grey levels from its own PNG twin.
 */
async function greyThumbnail(data: ArrayBuffer): Promise<Buffer> {
  const { data: pixels, info } = await sharp(new Uint8Array(data))
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  return sharp(pixels, { raw: { width, height, channels } })
    .resize(32, 32, { fit: 'fill' })
    .greyscale()
    .raw()
    .toBuffer();
}

/** Mean absolute difference of 32×32 grey thumbnails, 0 (same) to 255. */
export async function perceptualDistance(a: ArrayBuffer, b: ArrayBuffer): Promise<number> {
  const [left, right] = await Promise.all([greyThumbnail(a), greyThumbnail(b)]);
  let total = 0;
  for (let i = 0; i < left.length; i += 1) total += Math.abs((left[i] ?? 0) - (right[i] ?? 0));
  return total / left.length;
}

/**
 * A direct sharp pipeline on the upright source, one step per stage so each
 * stage's order is explicit: the reference our outputs are compared with.
 */
export async function direct(
  file: string,
  ...stages: ((image: Sharp) => Sharp)[]
): Promise<ArrayBuffer> {
  let bytes = await sharp(readFileSync(new URL(file, CORPUS)), { autoOrient: true })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  for (const stage of stages) bytes = await stage(sharp(bytes)).png().toBuffer();
  return new Uint8Array(bytes).buffer;
}

/** The one output a one-output task made. */
export function onlyOutput(result: ProcessResult): ProcessSuccess['outputs'][number] {
  const output = assertOk(result).outputs[0];
  if (output === undefined) throw new Error('no output');
  return output;
}
