import { ImageError } from './image-error.ts';
import type { Region } from './output-options.ts';
import type { Size } from './plan-outputs.ts';
import type { OutputSpec } from './task.ts';

/**
 * What an output's geometry does to the size of the picture it resizes,
 * worked out before decoding. Sizes are in pixels of the upright source, so
 * the resize plan and the shared decode's scale can be computed from them.
 */
export interface GeometryPlan {
  /** The part of the upright source the output is made from. */
  region: Region;
  /** The region's size after rotation: what the resize starts from. */
  base: Size;
  /**
   * Trim removes borders only the pixels reveal, so its size is unknown until
   * after the decode. Such an output needs a full-resolution decode to be
   * resized as a direct pipeline would, and is planned again after trimming.
   */
  trims: boolean;
}

/** The crop, clipped to the source; a crop with nothing inside it cannot be made. */
function clipRegion(source: Size, spec: OutputSpec): Region {
  const crop = spec.geometry?.crop ?? null;
  if (crop === null) return { left: 0, top: 0, ...source };

  const left = Math.min(crop.left, source.width);
  const top = Math.min(crop.top, source.height);
  const width = Math.min(crop.width, source.width - left);
  const height = Math.min(crop.height, source.height - top);
  if (width < 1 || height < 1) {
    throw new ImageError(
      'CROP_OUTSIDE_SOURCE',
      `output ${spec.id} crops ${crop.width}x${crop.height} at ${crop.left},${crop.top}, ` +
        `outside the ${source.width}x${source.height} source`,
    );
  }
  return { left, top, width, height };
}

/** The bounding box of `size` turned by `angle` degrees, as libvips sizes it. */
export function rotatedSize(size: Size, angle: number): Size {
  const turn = ((angle % 360) + 360) % 360;
  if (turn % 90 === 0) {
    return turn % 180 === 0 ? size : { width: size.height, height: size.width };
  }
  const radians = (turn * Math.PI) / 180;
  const cos = Math.abs(Math.cos(radians));
  const sin = Math.abs(Math.sin(radians));
  return {
    width: Math.max(1, Math.round(size.width * cos + size.height * sin)),
    height: Math.max(1, Math.round(size.width * sin + size.height * cos)),
  };
}

export function planGeometry(source: Size, spec: OutputSpec): GeometryPlan {
  const region = clipRegion(source, spec);
  const angle = spec.geometry?.rotate?.angle ?? 0;
  const size = { width: region.width, height: region.height };
  return { region, base: rotatedSize(size, angle), trims: (spec.geometry?.trim ?? null) !== null };
}
