import type {
  AdjustSpec,
  EncodingSpec,
  GeometrySpec,
  MetadataSpec,
  Rgba,
  TiffCompression,
} from '../pool/output-options.ts';
import { DEFAULT_ENCODING } from '../pool/output-options.ts';
import { OPTION_RANGES as R, inRange } from './output-option-ranges.ts';

type Maybe<T> = T | null | undefined;

/** Records one invalid field; `path` is relative to the output being checked. */
export type ReportIssue = (
  path: (string | number)[],
  message: string,
  accepted: string,
  received: unknown,
) => void;

export interface GeometryArgs {
  crop?: Maybe<{ left: number; top: number; width: number; height: number }>;
  trim?: Maybe<{ threshold?: Maybe<number> }>;
  rotate?: Maybe<{ angle: number; background?: Maybe<string> }>;
  flip?: Maybe<boolean>;
  flop?: Maybe<boolean>;
}

export interface AdjustArgs {
  blur?: Maybe<number>;
  sharpen?: Maybe<number>;
  grayscale?: Maybe<boolean>;
  modulate?: Maybe<{ brightness?: Maybe<number>; saturation?: Maybe<number>; hue?: Maybe<number> }>;
  tint?: Maybe<string>;
  gamma?: Maybe<number>;
  normalise?: Maybe<boolean>;
}

export interface EncodingArgs {
  jpeg?: Maybe<{ progressive?: Maybe<boolean>; chromaSubsampling?: Maybe<string> }>;
  png?: Maybe<{ compressionLevel?: Maybe<number>; palette?: Maybe<boolean> }>;
  webp?: Maybe<{ lossless?: Maybe<boolean>; effort?: Maybe<number> }>;
  avif?: Maybe<{ lossless?: Maybe<boolean>; effort?: Maybe<number> }>;
  gif?: Maybe<{ colours?: Maybe<number>; dither?: Maybe<number>; effort?: Maybe<number> }>;
  tiff?: Maybe<{ compression?: Maybe<TiffCompression> }>;
}

export const COLOUR_ACCEPTED = '"#rrggbb" or "#rrggbbaa" (hex)';
const HEX_COLOUR = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i;

/** "#rrggbb" or "#rrggbbaa" as channels, or null when it is neither. */
export function parseColour(value: string): Rgba | null {
  const match = HEX_COLOUR.exec(value);
  if (match === null) return null;
  const [rgb = '', alpha = 'ff'] = [match[1], match[2]];
  const byte = (at: number) => Number.parseInt(rgb.slice(at, at + 2), 16);
  return { r: byte(0), g: byte(2), b: byte(4), alpha: Number.parseInt(alpha, 16) / 255 };
}

/** A colour field: reported and replaced by clear when it does not parse. */
export function checkColour(value: string, path: (string | number)[], report: ReportIssue): Rgba {
  const colour = parseColour(value);
  if (colour === null) report(path, 'not a colour', COLOUR_ACCEPTED, value);
  return colour ?? { r: 0, g: 0, b: 0, alpha: 0 };
}

function checkNumber(
  value: number,
  range: (typeof R)[keyof typeof R],
  path: (string | number)[],
  report: ReportIssue,
): number {
  if (!inRange(value, range)) report(path, 'out of range', range.text, value);
  return value;
}

export function checkGeometry(args: Maybe<GeometryArgs>, report: ReportIssue): GeometrySpec | null {
  if (args === null || args === undefined) return null;
  const at = (...path: (string | number)[]) => ['geometry', ...path];

  const crop = args.crop ?? null;
  if (crop !== null) {
    checkNumber(crop.left, R.offset, at('crop', 'left'), report);
    checkNumber(crop.top, R.offset, at('crop', 'top'), report);
    checkNumber(crop.width, R.side, at('crop', 'width'), report);
    checkNumber(crop.height, R.side, at('crop', 'height'), report);
  }

  const trim = args.trim ?? null;
  const threshold = trim?.threshold ?? R.threshold.default;
  if (trim !== null) checkNumber(threshold, R.threshold, at('trim', 'threshold'), report);

  const rotate = args.rotate ?? null;
  const background = rotate?.background ?? '#00000000';
  return {
    crop,
    trim: trim === null ? null : { threshold },
    rotate:
      rotate === null
        ? null
        : {
            angle: checkNumber(rotate.angle, R.angle, at('rotate', 'angle'), report),
            background: checkColour(background, at('rotate', 'background'), report),
          },
    flip: args.flip ?? false,
    flop: args.flop ?? false,
  };
}

export function checkAdjust(args: Maybe<AdjustArgs>, report: ReportIssue): AdjustSpec | null {
  if (args === null || args === undefined) return null;
  const at = (...path: (string | number)[]) => ['adjust', ...path];
  const optional = (value: Maybe<number>, range: (typeof R)[keyof typeof R], field: string) =>
    value === null || value === undefined ? null : checkNumber(value, range, at(field), report);

  const modulate = args.modulate ?? null;
  const tint = args.tint ?? null;
  return {
    blur: optional(args.blur, R.blur, 'blur'),
    sharpen: optional(args.sharpen, R.sharpen, 'sharpen'),
    grayscale: args.grayscale ?? false,
    modulate:
      modulate === null
        ? null
        : {
            brightness: checkNumber(modulate.brightness ?? 1, R.brightness,
              at('modulate', 'brightness'), report),
            saturation: checkNumber(modulate.saturation ?? 1, R.saturation,
              at('modulate', 'saturation'), report),
            hue: checkNumber(modulate.hue ?? 0, R.hue, at('modulate', 'hue'), report),
          },
    tint: tint === null ? null : checkColour(tint, at('tint'), report),
    gamma: optional(args.gamma, R.gamma, 'gamma'),
    normalise: args.normalise ?? false,
  };
}

const ENCODER_GROUPS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;

/**
 * Encoder settings for the formats this output may be encoded in: its own,
 * or AUTO's candidates. Settings for any other format are refused rather
 * than ignored, since they would silently do nothing.
 */
export function checkEncoding(
  args: EncodingArgs,
  usable: readonly string[],
  report: ReportIssue,
): EncodingSpec | null {
  const groups = ENCODER_GROUPS.filter((group) => (args[group] ?? null) !== null);
  if (groups.length === 0) return null;
  for (const group of groups) {
    if (!usable.includes(group.toUpperCase())) {
      report([group], 'options for a format this output is not encoded in',
        `only options for ${usable.join(' or ')}`, args[group]);
    }
  }

  const d = DEFAULT_ENCODING;
  const { jpeg, png, webp, avif, gif, tiff } = args;
  const subsampling = jpeg?.chromaSubsampling === 'CHROMA_444' ? '4:4:4' : '4:2:0';
  const level = png?.compressionLevel ?? d.png.compressionLevel;
  const webpEffort = webp?.effort ?? d.webp.effort;
  const avifEffort = avif?.effort ?? d.avif.effort;
  return {
    jpeg: { progressive: jpeg?.progressive ?? false, chromaSubsampling: subsampling },
    png: {
      compressionLevel: checkNumber(level, R.compressionLevel, ['png', 'compressionLevel'], report),
      palette: png?.palette ?? false,
    },
    webp: {
      lossless: webp?.lossless ?? false,
      effort: checkNumber(webpEffort, R.webpEffort, ['webp', 'effort'], report),
    },
    avif: {
      lossless: avif?.lossless ?? false,
      effort: checkNumber(avifEffort, R.avifEffort, ['avif', 'effort'], report),
    },
    // Only for outputs in these formats, so other specs read as before they existed.
    ...(usable.includes('GIF') ? { gif: checkGif(gif, report) } : {}),
    ...(usable.includes('TIFF') ? { tiff: { compression: tiff?.compression ?? 'LZW' } } : {}),
  };
}

export interface MetadataArgs {
  icc?: Maybe<boolean>;
  exif?: Maybe<boolean>;
  copyright?: Maybe<boolean>;
  gainMap?: Maybe<boolean>;
}

function checkGif(args: EncodingArgs['gif'], report: ReportIssue): EncodingSpec['gif'] {
  const d = DEFAULT_ENCODING.gif;
  return {
    colours: checkNumber(args?.colours ?? d.colours, R.gifColours, ['gif', 'colours'], report),
    dither: checkNumber(args?.dither ?? d.dither, R.gifDither, ['gif', 'dither'], report),
    effort: checkNumber(args?.effort ?? d.effort, R.gifEffort, ['gif', 'effort'], report),
  };
}

/** libvips writes no EXIF block to GIF, nor to TIFF from our pipeline. */
const WITHOUT_EXIF = new Set(['GIF', 'TIFF']);

export function checkMetadata(
  args: Maybe<MetadataArgs>,
  usable: readonly string[],
  report: ReportIssue,
): MetadataSpec | null {
  if (args === null || args === undefined) return null;
  const format = usable.find((candidate) => WITHOUT_EXIF.has(candidate));
  for (const field of ['exif', 'copyright'] as const) {
    if (format !== undefined && args[field] === true) {
      report(['keepMetadata', field], `${format} outputs carry no EXIF`,
        'false, or a JPEG, PNG, WEBP, AVIF or AUTO output', true);
    }
  }
  const spec: MetadataSpec = {
    icc: args.icc ?? false,
    exif: args.exif ?? false,
    copyright: args.copyright ?? false,
  };
  // Left out when false, so specs read the same as before it existed.
  if (args.gainMap === true) spec.gainMap = true;
  return spec.icc || spec.exif || spec.copyright || spec.gainMap === true ? spec : null;
}
