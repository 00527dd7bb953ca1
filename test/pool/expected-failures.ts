import type { ProcessErrorCode } from '../../src/pool/task.ts';

/**
 * The corpus images that must fail, and their codes: the damaged, the
 * decompression bombs and the formats PixelFlow does not decode. Every other
 * corpus image must succeed. The pool sweep and the API test share this list.
 */
export const EXPECTED_FAILURES: Readonly<Record<string, ProcessErrorCode>> = {
  'pngsuite/xs1n0g01.png': 'UNSUPPORTED_FORMAT',
  'pngsuite/xcrn0g04.png': 'UNSUPPORTED_FORMAT',
  'pngsuite/xc9n2c08.png': 'CORRUPT_IMAGE',
  'pngsuite/xd0n2c08.png': 'CORRUPT_IMAGE',
  'pngsuite/xhdn0g08.png': 'CORRUPT_IMAGE',
  'pngsuite/xcsn0g01.png': 'CORRUPT_IMAGE',
  'pngsuite/xdtn0g01.png': 'CORRUPT_IMAGE',
  'sharp/truncated.jpg': 'CORRUPT_IMAGE',
  'sharp/truncated.png': 'CORRUPT_IMAGE',
  'sharp/corrupt-header.jpg': 'CORRUPT_IMAGE',
  'sharp/giant-image.jpg': 'PIXEL_LIMIT_EXCEEDED',
  'sharp/65536-uint32-limit.png': 'PIXEL_LIMIT_EXCEEDED',
  'sharp/relax.jp2': 'UNSUPPORTED_FORMAT',
  'libvips/17000x17000.avif': 'PIXEL_LIMIT_EXCEEDED',
  'libvips/truncated.gif': 'CORRUPT_IMAGE',
  // A WEBP output of it animates, so every frame is decoded, and a later one
  // is damaged. A job of still outputs decodes only the first and succeeds.
  'libvips/invalid_multiframe.gif': 'CORRUPT_IMAGE',
  'libvips/truncated.svgz': 'UNSUPPORTED_FORMAT',
  'libvips/sample.hdr': 'UNSUPPORTED_FORMAT',
  'libvips/small.bmp': 'UNSUPPORTED_FORMAT',
  'libvips/favicon.ico': 'UNSUPPORTED_FORMAT',
  'libvips/ISO_12233-reschart.pdf': 'UNSUPPORTED_FORMAT',
  'pillow/decompression_bomb.gif': 'CORRUPT_IMAGE',
  'pillow/decompression_bomb.ico': 'UNSUPPORTED_FORMAT',
  'pillow/truncated_jpeg.jpg': 'CORRUPT_IMAGE',
  'pillow/truncated_image.png': 'CORRUPT_IMAGE',
  'pillow/broken.png': 'CORRUPT_IMAGE',
  'pillow/broken_data_stream.png': 'CORRUPT_IMAGE',
  // An AVIF sequence ('avis' brand): libvips does not sniff it as HEIF, though
  // it holds a still image too.
  'pillow/star.avifs': 'UNSUPPORTED_FORMAT',
  'pillow/oom-225817ca0f8c663be7ab4b9e717b02c661e66834.tif': 'UNSUPPORTED_FORMAT',
  'pillow/crash-0da013a13571cc8eb457a39fee8db18f8a3c7127.tif': 'CORRUPT_IMAGE',
  'pillow/seek_too_large.tif': 'UNSUPPORTED_FORMAT',
  'pillow/timeout-6646305047838720': 'UNSUPPORTED_FORMAT',
};

/**
 * Corpus images the manifest calls damaged or a bomb that libvips still reads
 * correctly (a frame's extents clipped to the screen, a missing end chunk):
 * they must succeed, like any good image.
 */
export const DAMAGED_BUT_DECODABLE: readonly string[] = [
  'pillow/decompression_bomb_extents.gif',
  'pillow/truncated_end_chunk.png',
];
