import { planGeometry, type GeometryPlan } from './plan-geometry.ts';
import type { Fit, OutputSpec } from './task.ts';

/**
 * Output geometry, worked out from the source's upright size before any pixel
 * is decoded. It follows sharp's own rules for `resize()` (fit, and
 * `withoutEnlargement` when `enlarge` is false), so that outputs made from one
 * shared, already-shrunk decode have the size a direct resize of the source
 * gives. One deliberate difference: CONTAIN with only one side given behaves
 * as INSIDE, where sharp would pad the missing side out to the source's size.
 * A CONTAIN box is letterboxed even when `enlarge` is false: the pixels are
 * never enlarged, but the canvas is the box the client asked for.
 *
 * Geometry (crop, rotate) comes first: the resize starts from the rotated
 * region, so a crop's needed scale is that of the region, not the source.
 */

export interface Size {
  width: number;
  height: number;
}

export const CANVAS_STEPS = ['none', 'crop', 'embed'] as const;
export type CanvasStep = (typeof CANVAS_STEPS)[number];

export interface OutputPlan {
  spec: OutputSpec;
  geometry: GeometryPlan;
  /** The size the image is scaled to, before any crop or embed. */
  scaled: Size;
  /** `crop` for COVER, `embed` (letterbox) for CONTAIN, when both sides are given. */
  canvas: CanvasStep;
  /** The size of the encoded output. */
  final: Size;
}

/** Source pixels per output pixel on each axis, as sharp computes them. */
interface Shrink {
  x: number;
  y: number;
}

function shrinkFor(source: Size, spec: OutputSpec): Shrink {
  const width = spec.resize?.width ?? null;
  const height = spec.resize?.height ?? null;
  const fit: Fit = spec.resize?.fit ?? 'INSIDE';
  const x = width === null ? null : source.width / width;
  const y = height === null ? null : source.height / height;

  if (x !== null && y !== null) {
    if (fit === 'FILL') return { x, y };
    const cover = fit === 'COVER' || fit === 'OUTSIDE';
    const s = cover ? Math.min(x, y) : Math.max(x, y);
    return { x: s, y: s };
  }

  // With one side given, FILL stretches only that side (sharp's ignore_aspect).
  if (x !== null) return { x, y: fit === 'FILL' ? 1 : x };
  if (y !== null) return { x: fit === 'FILL' ? 1 : y, y };
  return { x: 1, y: 1 };
}

/**
 * libvips divides when it shrinks and multiplies by the reciprocal when it
 * enlarges; doing the same keeps our sizes equal to sharp's on exact halves.
 */
function scaleSide(side: number, shrink: number): number {
  const exact = shrink >= 1 ? side / shrink : side * (1 / shrink);
  return Math.max(1, Math.round(exact));
}

function canvasFor(spec: OutputSpec): CanvasStep {
  const resize = spec.resize;
  if (resize === null || resize.width === null || resize.height === null) return 'none';
  if (resize.fit === 'COVER') return 'crop';
  if (resize.fit === 'CONTAIN') return 'embed';
  return 'none';
}

export function planOutput(source: Size, spec: OutputSpec): OutputPlan {
  return planResize(spec, planGeometry(source, spec));
}

/** The resize of a geometry's base; called again once a trim has revealed its size. */
export function planResize(spec: OutputSpec, geometry: GeometryPlan): OutputPlan {
  const base = geometry.base;
  const shrink = shrinkFor(base, spec);
  const enlarge = spec.resize?.enlarge ?? false;
  const x = enlarge ? shrink.x : Math.max(1, shrink.x);
  const y = enlarge ? shrink.y : Math.max(1, shrink.y);
  const scaled = { width: scaleSide(base.width, x), height: scaleSide(base.height, y) };

  const canvas = canvasFor(spec);
  const box = { width: spec.resize?.width ?? 0, height: spec.resize?.height ?? 0 };
  // Like sharp: a crop never grows the image, an embed never shrinks it.
  const pick = canvas === 'crop' ? Math.min : Math.max;
  const final =
    canvas === 'none'
      ? scaled
      : { width: pick(scaled.width, box.width), height: pick(scaled.height, box.height) };

  return { spec, geometry, scaled, canvas, final };
}

/**
 * The size of the one shared decode: the smallest uniform shrink of the
 * source that is still at least as large as every output needs, or the full
 * source when any output needs full resolution (or more). An output's need is
 * measured against its own base: a crop of a tenth of the source, scaled to
 * half its size, needs the source at half its size too.
 */
export function planIntermediate(source: Size, plans: readonly OutputPlan[]): Size {
  let scale = 0;
  for (const { geometry, scaled } of plans) {
    const { base, trims } = geometry;
    const needed = trims ? 1 : Math.max(scaled.width / base.width, scaled.height / base.height);
    scale = Math.max(scale, needed);
  }
  if (scale >= 1) return source;

  // Round up (past float noise) so no output is made by enlarging a shrunk decode.
  const side = (length: number): number =>
    Math.min(length, Math.max(1, Math.ceil(length * scale - 1e-9)));
  return { width: side(source.width), height: side(source.height) };
}
