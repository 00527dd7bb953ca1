import type { Sharp } from 'sharp';

import type { AdjustSpec } from './output-options.ts';

/**
 * Colour and detail adjustments, added to an output's pipeline after its
 * resize, so each works on the pixels that are encoded (a blur's sigma is in
 * output pixels). libvips runs them in sharp's fixed order, whatever the call
 * order: blur, sharpen, gamma, greyscale, normalise, modulate, tint.
 */
export function applyAdjust(image: Sharp, adjust: AdjustSpec | null | undefined): Sharp {
  if (adjust === null || adjust === undefined) return image;

  if (adjust.blur !== null) image.blur(adjust.blur);
  if (adjust.sharpen !== null) image.sharpen({ sigma: adjust.sharpen });
  // sharp's gamma(in, out) darkens by `in` before the resize and brightens by
  // `out` after it; an input of 1 leaves only the brightening: a tone curve.
  if (adjust.gamma !== null) image.gamma(1, adjust.gamma);
  if (adjust.grayscale) image.greyscale();
  if (adjust.normalise) image.normalise();
  if (adjust.modulate !== null) image.modulate(adjust.modulate);
  if (adjust.tint !== null) {
    const { r, g, b } = adjust.tint;
    image.tint({ r, g, b });
  }
  return image;
}
