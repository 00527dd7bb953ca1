import sharp from 'sharp';
import type { Sharp } from 'sharp';

import type { OutputPlan } from './plan-outputs.ts';
import { placeIn, WHITE } from './render-output.ts';

/**
 * Whether an output keeps the source's Ultra HDR gain map. sharp carries a
 * gain map only through a pipeline that starts from the encoded source
 * (keepGainMap(), JPEG in and out), and only through the steps it can apply
 * to the map as well: crop, flip, flop, resize, COVER's crop and CONTAIN's
 * letterbox. An output with anything else (trim, rotate, a smart crop, any
 * adjustment, a watermark) is made as usual, without a gain map, rather than failing.
 */
export function keepsGainMap(plan: OutputPlan, sourceHasGainMap: boolean): boolean {
  const { spec } = plan;
  if (!sourceHasGainMap || spec.keepMetadata?.gainMap !== true) return false;
  if (spec.format !== 'JPEG' || spec.pickSmallest === true) return false;

  const geometry = spec.geometry ?? null;
  const rotates = (geometry?.rotate?.angle ?? 0) % 360 !== 0;
  if (geometry !== null && (geometry.trim !== null || rotates)) return false;
  if ((spec.resize?.gravity ?? null) !== null) return false;
  if ((spec.watermark ?? null) !== null) return false;
  return (spec.adjust ?? null) === null;
}

/**
 * The output's pipeline from the encoded source, for outputs that keep the
 * gain map: the same region, mirror and sizes as the plan, as one sharp
 * pipeline. It costs a second decode of the source, for these outputs only.
 */
export function gainMapPipeline(input: Buffer, plan: OutputPlan, maxInputPixels: number): Sharp {
  const { spec, geometry, scaled, canvas, final } = plan;
  const options = { failOn: 'error', limitInputPixels: maxInputPixels, autoOrient: true } as const;
  // sharp 0.35.6 has keepGainMap() (dist/output.mjs) but its .d.mts leaves it out.
  const image = sharp(input, options) as Sharp & { keepGainMap(): Sharp };
  image.keepGainMap().toColourspace('srgb');

  const { region } = geometry;
  image.extract(region);
  if (spec.geometry?.flip === true) image.flip();
  if (spec.geometry?.flop === true) image.flop();
  image.resize(scaled.width, scaled.height, { fit: 'fill' });

  const position = spec.resize?.position ?? 'CENTRE';
  if (canvas === 'crop') image.extract({ ...placeIn(position, final, scaled), ...final });
  if (canvas === 'embed') {
    const { left, top } = placeIn(position, scaled, final);
    const right = final.width - scaled.width - left;
    const bottom = final.height - scaled.height - top;
    const background = spec.resize?.background ?? WHITE;
    image.extend({ left, top, right, bottom, background });
  }
  return image;
}
