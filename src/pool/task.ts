/**
 * The contract between the dispatcher (main thread) and the worker threads.
 * Everything here crosses a thread boundary, so it is plain data: numbers,
 * strings and ArrayBuffers that are transferred, never copied.
 */

import type { MessagePort } from 'node:worker_threads';

import type {
  AdjustSpec,
  EncodingSpec,
  GeometrySpec,
  Gravity,
  MetadataSpec,
  Position,
  Rgba,
  WatermarkSpec,
} from './output-options.ts';

/** The formats an output is encoded in. */
export const OUTPUT_FORMATS = ['JPEG', 'PNG', 'WEBP', 'AVIF', 'GIF', 'TIFF'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * The formats that keep an animated source animated; every other format
 * takes its first frame. AUTO on an animated source is encoded as WEBP.
 */
export const ANIMATED_FORMATS = ['GIF', 'WEBP'] as const satisfies OutputFormat[];

/** What a client may ask for: a format, or AUTO to let the worker pick the smallest. */
export const REQUESTED_FORMATS = [...OUTPUT_FORMATS, 'AUTO'] as const;
export type RequestedFormat = (typeof REQUESTED_FORMATS)[number];

/** AUTO's candidates, in order of preference when two come out the same size. */
export const AUTO_OPAQUE_FORMATS = ['AVIF', 'WEBP', 'JPEG'] as const satisfies OutputFormat[];
/** JPEG has no alpha, so a transparent output swaps it for PNG. */
export const AUTO_TRANSPARENT_FORMATS = ['AVIF', 'WEBP', 'PNG'] as const satisfies OutputFormat[];

export const FITS = ['COVER', 'CONTAIN', 'FILL', 'INSIDE', 'OUTSIDE'] as const;
export type Fit = (typeof FITS)[number];

/** One output a job asks for, after validation at `createJob`. */
export interface OutputSpec {
  /** Client-chosen id, unique within the job. */
  id: string;
  resize: {
    width: number | null;
    height: number | null;
    fit: Fit;
    /**
     * When false (the default), the image is never scaled up past its source
     * size; CONTAIN still pads it out to the box that was asked for.
     */
    enlarge: boolean;
    /** COVER's crop and CONTAIN's letterbox anchor. Default CENTRE. */
    position?: Position;
    /** COVER only: a content-aware crop instead of `position`. */
    gravity?: Gravity | null;
    /** CONTAIN's letterbox colour. Default white for JPEG, clear otherwise. */
    background?: Rgba | null;
  } | null;
  /**
   * The encoded format. For AUTO it is AVIF, the first candidate: a worker
   * that predates `pickSmallest` (mid rolling deploy) still makes a valid output.
   */
  format: OutputFormat;
  /** AUTO: encode every candidate at `quality` and keep the smallest. */
  pickSmallest?: boolean;
  /** 1–100. */
  quality: number;
  geometry?: GeometrySpec | null;
  adjust?: AdjustSpec | null;
  /** Default DEFAULT_ENCODING. */
  encoding?: EncodingSpec | null;
  /** Default: everything stripped. */
  keepMetadata?: MetadataSpec | null;
  /** Drawn on the output after resize and adjust, before encoding. */
  watermark?: WatermarkSpec | null;
}

export interface ProcessTaskLimits {
  /** Largest width × height × frames the worker will decode. */
  maxInputPixels: number;
  /** Largest width × height of any one output; larger fails with OUTPUT_TOO_LARGE. */
  maxOutputPixels: number;
  /**
   * Most frames (pages) a source may declare; more fails with TOO_MANY_FRAMES
   * before decoding. Default DEFAULT_MAX_FRAMES, for callers that predate it.
   */
  maxFrames?: number;
  /**
   * Largest width × height × frames of all the outputs together; more fails
   * with OUTPUT_TOO_LARGE before decoding. Unbounded when absent, for callers
   * that predate it.
   */
  maxJobOutputPixels?: number;
}

export const DEFAULT_MAX_FRAMES = 1000;

export interface ProcessTask {
  /** The source bytes; transferred to the worker, detached in the caller. */
  source: ArrayBuffer;
  outputs: OutputSpec[];
  limits: ProcessTaskLimits;
  /**
   * Receives one `OutputDoneMessage` per output as soon as it is encoded, so
   * the dispatcher can report progress while the rest are still being made.
   */
  progressPort?: MessagePort;
  /** Also work out the job's Placeholder, from the same decode. Default false. */
  placeholders?: boolean;
  /**
   * The encoded bytes of each watermark image the outputs use, by asset id:
   * one per distinct asset, transferred like the source.
   */
  watermarks?: Record<string, ArrayBuffer>;
}

/** A stand-in a client can show before the image loads. */
export interface Placeholder {
  /** "#rrggbb": the most common colour of the source's visible pixels. */
  dominantColour: string;
  /** Base64 ThumbHash of the upright source: a ~25-byte blurred preview with its aspect. */
  thumbHash: string;
}

export interface OutputDoneMessage {
  outputId: string;
}

export interface ProcessedOutput {
  id: string;
  format: OutputFormat;
  width: number;
  height: number;
  /** Frames in the output: 1 for a still. */
  frames: number;
  /** Animated outputs only: how many times it plays, 0 for forever. */
  loopCount: number | null;
  /** Animated outputs only: the sum of its frame delays. */
  durationMs: number | null;
  /** Encoded bytes; transferred back to the caller. */
  data: ArrayBuffer;
}

/** The closed list of ways an image can fail in the worker. */
export const PROCESS_ERROR_CODES = [
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'PIXEL_LIMIT_EXCEEDED',
  'OUTPUT_TOO_LARGE',
  'CROP_OUTSIDE_SOURCE',
  'WATERMARK_INVALID',
  'TOO_MANY_FRAMES',
] as const;
export type ProcessErrorCode = (typeof PROCESS_ERROR_CODES)[number];

export type ProcessResult =
  | {
      ok: true;
      source: { format: string; width: number; height: number };
      /** Pixels decoded for this job (the measure behind usage metering). */
      pixelsProcessed: number;
      outputs: ProcessedOutput[];
      /** Present when the task asked for placeholders. */
      placeholder?: Placeholder;
    }
  | { ok: false; code: ProcessErrorCode; message: string };
