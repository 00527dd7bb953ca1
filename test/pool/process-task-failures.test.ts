import { describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import type { ProcessErrorCode } from '../../src/pool/task.ts';
import { makeTask, outputSpec } from './corpus.ts';

const OUTPUTS = [outputSpec('thumb', 'WEBP', { width: 150 }), outputSpec('large', 'JPEG')];

async function failureOf(file: string, maxInputPixels?: number): Promise<ProcessErrorCode> {
  const result = await processImage(makeTask(file, OUTPUTS, maxInputPixels));
  if (result.ok) throw new Error(`${file} was expected to fail`);
  return result.code;
}

describe('processImage failures', () => {
  it.each([
    ['pngsuite/xs1n0g01.png', 'UNSUPPORTED_FORMAT'],
    ['pngsuite/xcrn0g04.png', 'UNSUPPORTED_FORMAT'],
    ['pngsuite/xc9n2c08.png', 'CORRUPT_IMAGE'],
    ['pngsuite/xd0n2c08.png', 'CORRUPT_IMAGE'],
    ['pngsuite/xhdn0g08.png', 'CORRUPT_IMAGE'],
    ['pngsuite/xcsn0g01.png', 'CORRUPT_IMAGE'],
    ['pngsuite/xdtn0g01.png', 'CORRUPT_IMAGE'],
    ['sharp/truncated.jpg', 'CORRUPT_IMAGE'],
    ['sharp/truncated.png', 'CORRUPT_IMAGE'],
    ['sharp/corrupt-header.jpg', 'CORRUPT_IMAGE'],
    ['pillow/truncated_jpeg.jpg', 'CORRUPT_IMAGE'],
    ['pillow/truncated_image.png', 'CORRUPT_IMAGE'],
    ['pillow/broken_data_stream.png', 'CORRUPT_IMAGE'],
    ['pillow/crash-0da013a13571cc8eb457a39fee8db18f8a3c7127.tif', 'CORRUPT_IMAGE'],
    ['libvips/truncated.gif', 'CORRUPT_IMAGE'],
  ] as const)('rejects damaged %s as %s instead of returning garbage', async (file, code) => {
    expect(await failureOf(file)).toBe(code);
  });

  it.each([
    'sharp/65536-uint32-limit.png',
    'libvips/17000x17000.avif',
    'sharp/giant-image.jpg',
  ])('refuses the bomb %s from its header alone', async (file) => {
    const started = performance.now();
    const cpu = process.cpuUsage();

    expect(await failureOf(file)).toBe('PIXEL_LIMIT_EXCEEDED');
    // Decoding any of these would take seconds of CPU and gigabytes.
    const { user, system } = process.cpuUsage(cpu);
    expect((user + system) / 1000).toBeLessThan(1_000);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses a job whose outputs together are over the per-job limit', async () => {
    // kodim23 is 768 × 512: two full-size outputs are 786,432 pixels together.
    const outputs = [outputSpec('a', 'PNG'), outputSpec('b', 'JPEG')];
    const task = (maxJobOutputPixels: number) => {
      const base = makeTask('kodak/kodim23.png', outputs);
      return { ...base, limits: { ...base.limits, maxJobOutputPixels } };
    };

    const over = await processImage(task(786_431));
    expect(over).toMatchObject({ ok: false, code: 'OUTPUT_TOO_LARGE' });
    expect(over.ok ? '' : over.message).toMatch(/786432 pixels together; at most 786431/);
    expect(await processImage(task(786_432))).toMatchObject({ ok: true });
  });

  it('counts every frame against the pixel limit', async () => {
    // 245 × 245 × 42 frames = 2.52 MP, over a 2 MP limit that one frame is under.
    expect(await failureOf('pillow/iss634.gif', 2_000_000)).toBe('PIXEL_LIMIT_EXCEEDED');
  });

  it.each([
    'libvips/small.bmp',
    'libvips/favicon.ico',
    'libvips/ISO_12233-reschart.pdf',
    'sharp/relax.jp2',
  ])('reports %s as UNSUPPORTED_FORMAT', async (file) => {
    expect(await failureOf(file)).toBe('UNSUPPORTED_FORMAT');
  });

  it('throws, never decoding unlimited, for a limit that is not a positive integer', async () => {
    for (const maxInputPixels of [0, -1, 1.5, Number.NaN]) {
      await expect(
        processImage(makeTask('kodak/kodim01.png', OUTPUTS, maxInputPixels)),
      ).rejects.toThrow(RangeError);
    }
  });
});
