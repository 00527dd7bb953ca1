/**
 * The contract between the dispatcher (main thread) and the worker threads.
 * Everything here crosses a thread boundary, so it is plain data: numbers,
 * strings and ArrayBuffers that are transferred, never copied.
 */

import type { MessagePort } from 'node:worker_threads';

export const OUTPUT_FORMATS = ['JPEG', 'PNG', 'WEBP', 'AVIF'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

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
  } | null;
  format: OutputFormat;
  /** 1–100. */
  quality: number;
}

export interface ProcessTaskLimits {
  /** Largest width × height × frames the worker will decode. */
  maxInputPixels: number;
  /** Largest width × height of any one output; larger fails with OUTPUT_TOO_LARGE. */
  maxOutputPixels: number;
}

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
}

export interface OutputDoneMessage {
  outputId: string;
}

export interface ProcessedOutput {
  id: string;
  format: OutputFormat;
  width: number;
  height: number;
  /** Encoded bytes; transferred back to the caller. */
  data: ArrayBuffer;
}

/** The closed list of ways an image can fail in the worker. */
export const PROCESS_ERROR_CODES = [
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'PIXEL_LIMIT_EXCEEDED',
  'OUTPUT_TOO_LARGE',
] as const;
export type ProcessErrorCode = (typeof PROCESS_ERROR_CODES)[number];

export type ProcessResult =
  | {
      ok: true;
      source: { format: string; width: number; height: number };
      /** Pixels decoded for this job (the measure behind usage metering). */
      pixelsProcessed: number;
      outputs: ProcessedOutput[];
    }
  | { ok: false; code: ProcessErrorCode; message: string };
