import type { Sharp } from 'sharp';

import { ANCHORS, type Anchor } from './anchors.ts';
import { applyAdjust } from './apply-adjust.ts';
import { fromPixels } from './apply-geometry.ts';
import type { DecodedSource } from './decode-source.ts';
import type { Position, Rgba } from './output-options.ts';
import type { OutputPlan, Size } from './plan-outputs.ts';

export const WHITE: Rgba = { r: 255, g: 255, b: 255, alpha: 1 };
export const CLEAR: Rgba = { r: 0, g: 0, b: 0, alpha: 0 };

function offset(anchor: Anchor, inner: number, outer: number): number {
  const room = Math.abs(outer - inner);
  if (anchor === 'start') return 0;
  return anchor === 'end' ? room : Math.floor(room / 2);
}

/** Where `inner` sits in `outer` (or `outer` in `inner`, for a crop). */
export function placeIn(
  position: Position,
  inner: Size,
  outer: Size,
): { left: number; top: number } {
  const [x, y] = ANCHORS[position];
  return { left: offset(x, inner.width, outer.width), top: offset(y, inner.height, outer.height) };
}

export interface RenderOptions {
  /**
   * Drop alpha first, onto the CONTAIN background or white: JPEG has none, and
   * unflattened alpha turns black.
   */
  flatten: boolean;
  /**
   * A content-aware crop already chosen (on an animation's first frame), in
   * pixels of the scaled image: used instead of scoring this image again.
   */
  cropAt?: { left: number; top: number } | undefined;
}

/**
 * The opaque colour a flattened output shows where the source is see-through
 * and in its letterbox: the background asked for, laid over white when it is
 * itself see-through (a clear background must not come out black).
 */
function matteOf(background: Rgba | null | undefined): Rgba {
  if (background === null || background === undefined) return WHITE;
  const { alpha } = background;
  const over = (channel: number) => Math.round(channel * alpha + 255 * (1 - alpha));
  return { r: over(background.r), g: over(background.g), b: over(background.b), alpha: 1 };
}

/**
 * An output's pipeline up to the encoder: the resize of its (geometry-applied)
 * pixels, COVER's crop or CONTAIN's letterbox, and its adjustments.
 */
export function renderOutput(
  pixels: DecodedSource,
  plan: OutputPlan,
  options: RenderOptions,
): Sharp {
  const { spec, scaled, canvas, final } = plan;
  const resize = spec.resize;
  const position = resize?.position ?? 'CENTRE';
  const image = fromPixels(pixels);
  const matte = matteOf(resize?.background);
  if (options.flatten) image.flatten({ background: matte });

  const gravity = resize?.gravity ?? null;
  if (canvas === 'crop' && gravity !== null && options.cropAt === undefined) {
    // libvips scores the crop on the resized image, as a direct resize would.
    const strategy = gravity === 'ATTENTION' ? 'attention' : 'entropy';
    image.resize(final.width, final.height, { fit: 'cover', position: strategy });
    return applyAdjust(image, spec.adjust);
  }

  if (scaled.width !== pixels.width || scaled.height !== pixels.height) {
    image.resize(scaled.width, scaled.height, { fit: 'fill' });
  }
  // Called after resize(), extract() crops the resized image, as COVER does.
  if (canvas === 'crop') {
    image.extract({ ...(options.cropAt ?? placeIn(position, final, scaled)), ...final });
  }
  if (canvas === 'embed') {
    const { left, top } = placeIn(position, scaled, final);
    const right = final.width - scaled.width - left;
    const bottom = final.height - scaled.height - top;
    const background = options.flatten ? matte : (resize?.background ?? CLEAR);
    image.extend({ left, top, right, bottom, background });
  }
  return applyAdjust(image, spec.adjust);
}
