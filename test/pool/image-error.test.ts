import { describe, expect, it } from 'vitest';

import { toDecodeError, toEncodeError } from '../../src/pool/image-error.ts';

describe('toDecodeError', () => {
  it.each([
    ['Input buffer contains unsupported image format', 'UNSUPPORTED_FORMAT'],
    ['Input image exceeds pixel limit', 'PIXEL_LIMIT_EXCEEDED'],
    ['Input SVG image will exceed 32767x32767 pixel limit when scaled', 'PIXEL_LIMIT_EXCEEDED'],
    ['VipsJpeg: premature end of JPEG image', 'CORRUPT_IMAGE'],
    ['Unknown error', 'CORRUPT_IMAGE'],
  ])('maps "%s" to %s', (message, code) => {
    expect(toDecodeError(new Error(message)).code).toBe(code);
  });

  it('keeps only the headline of a multi-line libvips message', () => {
    const error = toDecodeError(new Error('Input buffer has corrupt header: x\nVipsJpeg: y\n'));

    expect(error.message).toBe('Input buffer has corrupt header: x');
  });

  it('rethrows what is not the image’s fault', () => {
    const oom = new Error('out of memory --- size == 400MB');

    expect(() => toDecodeError(oom)).toThrow(oom);
    expect(() => toDecodeError('a string')).toThrow();
  });
});

describe('toEncodeError', () => {
  it('maps only an encoder size limit, and rethrows the rest', () => {
    const tooLarge = new Error('Processed image is too large for the WebP format');
    const other = new Error('Expected integer between 1 and 100 for quality but received 0');

    expect(toEncodeError(tooLarge).code).toBe('OUTPUT_TOO_LARGE');
    expect(() => toEncodeError(other)).toThrow(other);
  });
});
