/**
 * The option groups of one output, as validated at `createJob` and carried to
 * the worker inside an `OutputSpec`. Plain data only: they cross a thread
 * boundary and are stored as JSON with the job.
 *
 * Every group is optional on `OutputSpec`, so specs stored before a group
 * existed still run unchanged.
 */

/** Where the image is anchored when COVER crops it or CONTAIN letterboxes it. */
export const POSITIONS = [
  'CENTRE',
  'TOP',
  'RIGHT_TOP',
  'RIGHT',
  'RIGHT_BOTTOM',
  'BOTTOM',
  'LEFT_BOTTOM',
  'LEFT',
  'LEFT_TOP',
] as const;
export type Position = (typeof POSITIONS)[number];

/** Content-aware crops for COVER: libvips' smartcrop strategies. */
export const GRAVITIES = ['ATTENTION', 'ENTROPY'] as const;
export type Gravity = (typeof GRAVITIES)[number];

export const CHROMA_SUBSAMPLINGS = ['4:2:0', '4:4:4'] as const;

/** TIFF's compression schemes; JPEG is lossy, at the output's quality. */
export const TIFF_COMPRESSIONS = ['LZW', 'DEFLATE', 'JPEG', 'NONE'] as const;
export type TiffCompression = (typeof TIFF_COMPRESSIONS)[number];
export type ChromaSubsampling = (typeof CHROMA_SUBSAMPLINGS)[number];

/** 8-bit sRGB channels and an alpha from 0 (clear) to 1 (opaque). */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  alpha: number;
}

/** A rectangle in pixels of the upright source. */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Applied in this order, before the resize: crop, trim, rotate, flip, flop.
 * EXIF orientation is applied before all of them, by the decode.
 */
export interface GeometrySpec {
  /** Clipped to the source; a crop entirely outside it fails with CROP_OUTSIDE_SOURCE. */
  crop: Region | null;
  /** Borders whose colour is within `threshold` of the top-left pixel are removed. */
  trim: { threshold: number } | null;
  /** Clockwise degrees; corners a free angle uncovers are filled with `background`. */
  rotate: { angle: number; background: Rgba } | null;
  /** Mirror top to bottom. */
  flip: boolean;
  /** Mirror left to right. */
  flop: boolean;
}

/** Applied after the resize, in this order, each only when set. */
export interface AdjustSpec {
  blur: number | null;
  sharpen: number | null;
  grayscale: boolean;
  modulate: { brightness: number; saturation: number; hue: number } | null;
  tint: Rgba | null;
  gamma: number | null;
  normalise: boolean;
}

/** Encoder settings, each used only when the output is (or AUTO picks) that format. */
export interface EncodingSpec {
  jpeg: { progressive: boolean; chromaSubsampling: ChromaSubsampling };
  png: { compressionLevel: number; palette: boolean };
  webp: { lossless: boolean; effort: number };
  avif: { lossless: boolean; effort: number };
  /** Absent from specs stored before GIF output existed: DEFAULT_ENCODING's then. */
  gif?: { colours: number; dither: number; effort: number };
  tiff?: { compression: TiffCompression };
}

export const DEFAULT_ENCODING: Required<EncodingSpec> = {
  jpeg: { progressive: false, chromaSubsampling: '4:2:0' },
  png: { compressionLevel: 6, palette: false },
  webp: { lossless: false, effort: 4 },
  // At sharp's default effort 4 one 720-px AVIF costs 1.5-1.65 s of CPU,
  // about 60x a JPEG; effort 2 is 7-8x faster for files ~8% larger.
  avif: { lossless: false, effort: 2 },
  // A full palette and Floyd-Steinberg dithering, as libvips does; effort 1,
  // not libvips' 7: a 42-frame 120-px GIF took 0.7 s instead of 9.7 s here,
  // for a file 4% larger.
  gif: { colours: 256, dither: 1, effort: 1 },
  // Lossless and what most TIFF readers expect; DEFLATE is smaller, slower.
  tiff: { compression: 'LZW' },
};

/** Metadata copied from the source; everything else is stripped. */
export interface MetadataSpec {
  icc: boolean;
  exif: boolean;
  copyright: boolean;
  /**
   * Keep an Ultra HDR gain map (JPEG source and output only). Absent from
   * specs stored before it existed, meaning false.
   */
  gainMap?: boolean;
}

/**
 * A mark drawn over the output's pixels after resize and adjust: a line of
 * text, or an image the owner uploaded as a watermark asset.
 */
export interface WatermarkSpec {
  mark:
    | {
        kind: 'text';
        /** Plain text, never markup: the worker escapes it for Pango. */
        text: string;
        colour: Rgba;
        /** A font family; Pango falls back to a default when it is not installed. */
        font: string;
        /**
         * Output pixels; the text is drawn at this size (shrunk to fit the
         * output) instead of being fitted to `size`. Absent in older specs.
         */
        fontSize?: number;
      }
    | {
        kind: 'image';
        /** The owner's watermark asset; the job run reads it from storage. */
        assetId: string;
      };
  /** Where the mark sits; ignored when tiling. */
  gravity: Position;
  /** Output pixels between the mark and the edges, or between tiles when tiling. */
  margin: number;
  /** The mark's width as a share of the output's width, 0.01..1; never taller than the output. */
  size: number;
  /** 0 (invisible) to 1 (as drawn). */
  opacity: number;
  /** Repeat the mark over the whole output instead of placing it once. */
  tile: boolean;
}
