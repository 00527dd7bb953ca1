import type { ProcessErrorCode } from './task.ts';

/** An expected way for an image to fail: it ends the job as data, not as a crash. */
export class ImageError extends Error {
  readonly code: ProcessErrorCode;

  constructor(code: ProcessErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
  }
}

export function isImageError(error: unknown): error is ImageError {
  return error instanceof ImageError;
}

/** sharp and libvips report through messages only; these are the stable ones. */
const KNOWN_MESSAGES: ReadonlyArray<readonly [RegExp, ProcessErrorCode]> = [
  [/unsupported image format/i, 'UNSUPPORTED_FORMAT'],
  [/exceeds pixel limit|exceeds? \d+x\d+ pixel limit/i, 'PIXEL_LIMIT_EXCEEDED'],
  [/too large for the \w+ format/i, 'OUTPUT_TOO_LARGE'],
];

/**
 * Memory exhaustion can hit a valid image on a busy host, so it is not blamed
 * on the image: it is rethrown for the dispatcher to retry.
 */
const NOT_THE_IMAGE = /out of memory/i;

/** libvips stacks its loader's log under the headline; the headline is enough. */
function headline(message: string): string {
  const first = message.split('\n', 1)[0] ?? message;
  return first.trim().slice(0, 300);
}

function knownCode(message: string): ProcessErrorCode | null {
  for (const [pattern, code] of KNOWN_MESSAGES) {
    if (pattern.test(message)) return code;
  }
  return null;
}

/**
 * An error from reading or decoding the source. Loaders word their complaints
 * about bad bytes in many ways ("premature end of JPEG image", "libpng read
 * error", "Bad code word", even "Unknown error" for a bad PNG header CRC), so
 * anything not recognised is CORRUPT_IMAGE rather than a retryable crash.
 */
export function toDecodeError(error: unknown): ImageError {
  if (isImageError(error)) return error;
  if (!(error instanceof Error) || NOT_THE_IMAGE.test(error.message)) throw error;

  const code = knownCode(error.message) ?? 'CORRUPT_IMAGE';
  return new ImageError(code, headline(error.message), { cause: error });
}

/** An error from encoding our own decoded pixels: only a size limit is expected. */
export function toEncodeError(error: unknown): ImageError {
  if (isImageError(error)) return error;
  if (!(error instanceof Error)) throw error;

  if (knownCode(error.message) === 'OUTPUT_TOO_LARGE') {
    return new ImageError('OUTPUT_TOO_LARGE', headline(error.message), { cause: error });
  }
  throw error;
}
