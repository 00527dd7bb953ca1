/**
 * The accepted range of every numeric output option, in one place so the
 * GraphQL descriptions and the InvalidInputError `accepted` text agree.
 * Most are sharp's own limits; the others say why they are narrower.
 */
interface Range {
  min: number;
  max: number;
  default: number;
  text: string;
}

function range(min: number, max: number, defaultValue = min): Range {
  return { min, max, default: defaultValue, text: `${min}..${max}` };
}

/** libvips' largest image side. */
const MAX_SIDE = 10_000_000;

export const OPTION_RANGES = {
  offset: range(0, MAX_SIDE - 1),
  side: range(1, MAX_SIDE),
  threshold: range(0, 255, 10),
  angle: range(-360, 360, 0),
  blur: range(0.3, 1000),
  // Above ~10 output pixels an unsharp mask only adds halos.
  sharpen: range(0.01, 10),
  // 0 is black; past 10 every pixel has long since clipped to white.
  brightness: range(0, 10, 1),
  saturation: range(0, 10, 1),
  hue: range(-360, 360, 0),
  gamma: range(1, 3),
  compressionLevel: range(0, 9, 6),
  webpEffort: range(0, 6, 4),
  // Effort 2, not sharp's 4: one 720-px AVIF at 4 costs 1.5 s of CPU (perf-notes §2.4).
  avifEffort: range(0, 9, 2),
  // Output pixels; no output side is longer than 16383.
  watermarkMargin: range(0, 16383, 10),
  // Under 1% of the width a mark is a few pixels of noise.
  watermarkSize: range(0.01, 1, 0.2),
  watermarkOpacity: range(0, 1, 0.5),
  // Output pixels. 100 characters at 512 px lay out as a ~50000-px line of
  // coverage (~25 MB), which is then scaled to fit the output.
  watermarkFontSize: range(4, 512, 24),
  // GIF's palette is at most 256 entries; cgif needs at least 2.
  gifColours: range(2, 256, 256),
  gifDither: range(0, 1, 1),
  // Effort 1, not libvips' 7: 14x faster on an animation for 4% more bytes.
  gifEffort: range(1, 10, 1),
} as const satisfies Record<string, Range>;

export function inRange(value: number, { min, max }: Range): boolean {
  return Number.isFinite(value) && value >= min && value <= max;
}
