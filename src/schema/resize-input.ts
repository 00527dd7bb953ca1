import type { Gravity, Position } from '../pool/output-options.ts';
import type { Fit, OutputSpec } from '../pool/task.ts';
import type { Builder } from './builder.ts';
import type { JobTypes } from './job-types.ts';
import { checkColour, type ReportIssue } from './validate-output-options.ts';

/** Largest width or height an output may ask for (WEBP's own limit is 16383). */
export const MAX_OUTPUT_DIMENSION = 16383;

export interface ResizeArgs {
  width?: number | null;
  height?: number | null;
  fit?: Fit | null;
  enlarge?: boolean | null;
  position?: Position | null;
  gravity?: Gravity | null;
  background?: string | null;
}

type ResizeTypes = Pick<JobTypes, 'FitEnum' | 'PositionEnum' | 'GravityEnum'>;

export function registerResizeInput(builder: Builder, types: ResizeTypes) {
  return builder.inputType('ResizeInput', {
    description: 'Give width, height or both; the other side follows the aspect ratio.',
    fields: (t) => ({
      width: t.int({ description: `1..${MAX_OUTPUT_DIMENSION} pixels.` }),
      height: t.int({ description: `1..${MAX_OUTPUT_DIMENSION} pixels.` }),
      fit: t.field({ type: types.FitEnum, defaultValue: 'INSIDE' }),
      enlarge: t.boolean({
        defaultValue: false,
        description: 'Allow an output larger than its source. Off by default.',
      }),
      position: t.field({
        type: types.PositionEnum,
        defaultValue: 'CENTRE',
        description: 'COVER and CONTAIN with both sides given; other fits ignore it.',
      }),
      gravity: t.field({
        type: types.GravityEnum,
        description: 'COVER with both sides given: crop by content instead of by position.',
      }),
      background: t.string({
        description:
          'CONTAIN only: the letterbox colour, "#rrggbb" or "#rrggbbaa". Default: white for ' +
          'JPEG, clear for the others.',
      }),
    }),
  });
}

/** Paths reported are relative to the output. */
export function checkResize(
  resize: ResizeArgs | null | undefined,
  maxOutputPixels: number,
  report: ReportIssue,
): NonNullable<OutputSpec['resize']> | null {
  if (!resize) return null;
  const width = resize.width ?? null;
  const height = resize.height ?? null;
  const range = `1..${MAX_OUTPUT_DIMENSION}`;
  for (const [side, value] of [['width', width], ['height', height]] as const) {
    if (value !== null && (value < 1 || value > MAX_OUTPUT_DIMENSION)) {
      report(['resize', side], 'out of range', range, value);
    }
  }
  if (width !== null && height !== null && width * height > maxOutputPixels) {
    report(['resize'], 'output too large',
      `width × height of at most ${maxOutputPixels} pixels`, resize);
  }
  if (width === null && height === null) {
    report(['resize'], 'resize needs a width or a height',
      `width and/or height in ${range}`, resize);
  }
  const fit = resize.fit ?? 'INSIDE';
  const box = width !== null && height !== null;
  const gravity = resize.gravity ?? null;
  const position = resize.position ?? 'CENTRE';
  if (gravity !== null && (fit !== 'COVER' || !box)) {
    report(['resize', 'gravity'], 'gravity crops, so it needs COVER',
      'fit COVER with both width and height', gravity);
  }
  if (gravity !== null && position !== 'CENTRE') {
    report(['resize', 'position'], 'give position or gravity, not both',
      'CENTRE (the default) when gravity is set', position);
  }
  const colour = resize.background ?? null;
  if (colour !== null && fit !== 'CONTAIN') {
    report(['resize', 'background'], 'only a CONTAIN letterbox has a background',
      'fit CONTAIN', colour);
  }
  const background = colour === null ? null : checkColour(colour, ['resize', 'background'], report);
  return {
    width,
    height,
    fit,
    enlarge: resize.enlarge ?? false,
    ...(position === 'CENTRE' ? {} : { position }),
    ...(gravity === null ? {} : { gravity }),
    ...(background === null ? {} : { background }),
  };
}
