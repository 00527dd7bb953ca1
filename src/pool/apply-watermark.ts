import sharp from 'sharp';

import { ANCHORS, type Anchor } from './anchors.ts';
import { fromPixels, toPixels } from './apply-geometry.ts';
import type { DecodedSource } from './decode-source.ts';
import { ImageError, toDecodeError } from './image-error.ts';
import type { Rgba, WatermarkSpec } from './output-options.ts';

/** What every output's watermark shares within one job. */
export interface WatermarkContext {
  /** Encoded watermark images by asset id, as the job run read them from storage. */
  images: ReadonlyMap<string, Buffer>;
  /** A watermark image is held to this and to MAX_WATERMARK_PIXELS, whichever is lower. */
  maxInputPixels: number;
}

/** A logo needs nothing near this; it keeps a second decode per job small. */
export const MAX_WATERMARK_PIXELS = 4096 * 4096;

/**
 * Text is laid out at most this large and scaled up from there: Pango fits a
 * short text to the box's height, and a 16k-pixel glyph would cost ~1 GB.
 */
const MAX_TEXT_SIDE = 2048;

const CLEAR = { r: 0, g: 0, b: 0, alpha: 0 };

/** Below this, a mark is a smudge of a few pixels rather than text or a logo. */
const MIN_MARK_SIDE = 4;

interface Mark {
  /** Straight (not premultiplied) RGBA. */
  pixels: Buffer;
  width: number;
  height: number;
}

interface Box {
  width: number;
  height: number;
}

const MARKUP: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** sharp hands text to Pango as markup; user text must stay text. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (char) => MARKUP[char] ?? char);
}

/** The output within its margins: no mark is drawn larger than this. */
function markRoom(spec: WatermarkSpec, output: Box): Box {
  const inner = (side: number) => (side - 2 * spec.margin >= 1 ? side - 2 * spec.margin : side);
  return { width: inner(output.width), height: inner(output.height) };
}

/** The box the mark is fitted into: `size` of the output's width, within its margins. */
function markBox(spec: WatermarkSpec, output: Box): Box {
  const room = markRoom(spec, output);
  const width = Math.max(1, Math.min(room.width, Math.round(spec.size * output.width)));
  return { width, height: room.height };
}

/**
 * The text's coverage (0-255 per pixel), fitted inside `box`. Pango picks the
 * size, but libvips fits the logical extent and the ink can overshoot it
 * ("©" for a 2048 × 1365 box comes back 2224 × 2228), so the result is scaled
 * to fit once more: a mark larger than the output cannot be composited.
 */
async function renderText(text: string, font: string, box: Box) {
  const scale = Math.min(1, MAX_TEXT_SIDE / Math.max(box.width, box.height));
  const layout = {
    width: Math.max(1, Math.round(box.width * scale)),
    height: Math.max(1, Math.round(box.height * scale)),
  };
  if (layout.width < MIN_MARK_SIDE || layout.height < MIN_MARK_SIDE) return null;

  const drawn = await sharp({ text: { text: escapeMarkup(text), font, ...layout, wrap: 'none' } })
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height } = drawn.info;
  if (scale === 1 && width <= box.width && height <= box.height) return drawn;

  return sharp(drawn.data, { raw: { width, height, channels: 1 } })
    .resize(box.width, box.height, { fit: 'inside' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

/**
 * The text's coverage at `fontSize` output pixels (Pango's points at 72 dpi),
 * scaled down to fit inside `room` when it is larger.
 */
async function renderTextAt(text: string, font: string, fontSize: number, room: Box) {
  if (fontSize < MIN_MARK_SIDE) return null;
  const description = `${font} ${fontSize}`;
  const drawn = await sharp({ text: { text: escapeMarkup(text), font: description, dpi: 72 } })
    .extractChannel(0)
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { width, height } = drawn.info;
  if (width <= room.width && height <= room.height) return drawn;

  return sharp(drawn.data, { raw: { width, height, channels: 1 } })
    .resize(room.width, room.height, { fit: 'inside' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
}

async function textMark(
  mark: Extract<WatermarkSpec['mark'], { kind: 'text' }>,
  box: Box,
  room: Box,
  opacity: number,
): Promise<Mark | null> {
  let coverage;
  try {
    coverage = mark.fontSize === undefined
      ? await renderText(mark.text, mark.font, box)
      : await renderTextAt(mark.text, mark.font, mark.fontSize, room);
  } catch (error: unknown) {
    // Validated text should always lay out; if Pango still refuses it, the job
    // fails with a code rather than retrying the same text until it gives up.
    if (!(error instanceof Error)) throw error;
    throw new ImageError('WATERMARK_INVALID', `watermark text: ${error.message}`, { cause: error });
  }
  if (coverage === null) return null;

  const { data, info } = coverage;
  const { r, g, b, alpha }: Rgba = mark.colour;
  const pixels = Buffer.alloc(info.width * info.height * 4);
  for (let at = 0; at < data.length; at += 1) {
    const to = at * 4;
    pixels[to] = r;
    pixels[to + 1] = g;
    pixels[to + 2] = b;
    pixels[to + 3] = Math.round((data[at] ?? 0) * alpha * opacity);
  }
  return { pixels, width: info.width, height: info.height };
}

async function imageMark(
  assetId: string,
  box: Box,
  opacity: number,
  context: WatermarkContext,
): Promise<Mark | null> {
  const input = context.images.get(assetId);
  if (input === undefined) throw new Error(`watermark ${assetId} was not given to the worker`);
  if (box.width < MIN_MARK_SIDE || box.height < MIN_MARK_SIDE) return null;

  let result;
  try {
    result = await sharp(input, {
      failOn: 'error',
      limitInputPixels: Math.min(context.maxInputPixels, MAX_WATERMARK_PIXELS),
      autoOrient: true,
      pages: 1,
    })
      .resize(box.width, box.height, { fit: 'inside' })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error: unknown) {
    const cause = toDecodeError(error);
    throw new ImageError('WATERMARK_INVALID', `watermark image ${assetId}: ${cause.message}`, {
      cause,
    });
  }

  const { data, info } = result;
  for (let at = 3; at < data.length; at += 4) {
    data[at] = Math.round((data[at] ?? 0) * opacity);
  }
  return { pixels: data, width: info.width, height: info.height };
}

/** The mark's offset on one axis; a margin too large for the room left is shrunk to fit. */
function offset(anchor: Anchor, mark: number, output: number, margin: number): number {
  const room = output - mark;
  if (anchor === 'middle') return Math.floor(room / 2);
  const inset = Math.min(margin, Math.floor(room / 2));
  return anchor === 'start' ? inset : room - inset;
}

/**
 * Draws the watermark over an output's rendered pixels. It runs after the
 * resize and adjust, in a pipeline of its own: sharp would otherwise apply a
 * grayscale or tint to the mark too, in its fixed order of operations.
 */
export async function applyWatermark(
  pixels: DecodedSource,
  spec: WatermarkSpec | null | undefined,
  context: WatermarkContext,
): Promise<DecodedSource> {
  if (spec === null || spec === undefined || spec.opacity === 0) return pixels;

  const box = markBox(spec, pixels);
  const mark =
    spec.mark.kind === 'text'
      ? await textMark(spec.mark, box, markRoom(spec, pixels), spec.opacity)
      : await imageMark(spec.mark.assetId, box, spec.opacity, context);
  if (mark === null) return pixels;

  const raw = { width: mark.width, height: mark.height, channels: 4 } as const;
  let overlay;
  if (spec.tile) {
    const spaced = await sharp(mark.pixels, { raw })
      // A tile must not outgrow the output, so a margin wider than the room left shrinks.
      .extend({
        right: Math.min(spec.margin, pixels.width - mark.width),
        bottom: Math.min(spec.margin, pixels.height - mark.height),
        background: CLEAR,
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const { width, height } = spaced.info;
    overlay = {
      input: spaced.data,
      raw: { width, height, channels: 4 as const },
      tile: true,
      gravity: 'northwest',
    };
  } else {
    const [x, y] = ANCHORS[spec.gravity];
    const left = offset(x, mark.width, pixels.width, spec.margin);
    const top = offset(y, mark.height, pixels.height, spec.margin);
    overlay = { input: mark.pixels, raw, left, top };
  }

  const image = fromPixels(pixels).composite([overlay]);
  // Over an opaque output the result stays opaque: drop the alpha composite adds.
  if (pixels.channels === 3) image.removeAlpha();
  try {
    return await toPixels(image);
  } catch (error: unknown) {
    // The mark is sized to fit, so this is not expected; should it happen, the
    // job fails with a code instead of being retried into ATTEMPTS_EXHAUSTED.
    if (!(error instanceof Error) || /out of memory/i.test(error.message)) throw error;
    throw new ImageError('WATERMARK_INVALID', `watermark could not be drawn: ${error.message}`, {
      cause: error,
    });
  }
}
