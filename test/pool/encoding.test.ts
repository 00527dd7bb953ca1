import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { DEFAULT_ENCODING, type EncodingSpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import type { OutputFormat } from '../../src/pool/task.ts';
import {
  assertOk,
  direct,
  inspectOutput,
  makeTask,
  onlyOutput,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const PHOTO = 'kodak/kodim23.png'; // 768 × 512
const TRANSPARENT = 'pngsuite/basn6a08.png';

function encoding(options: Partial<EncodingSpec>): { more: { encoding: EncodingSpec } } {
  return { more: { encoding: { ...DEFAULT_ENCODING, ...options } } };
}

const meta = (data: ArrayBuffer) => sharp(new Uint8Array(data)).metadata();

describe('encoder settings', () => {
  it('writes progressive 4:4:4 JPEG when asked, baseline 4:2:0 by default', async () => {
    const jpeg = { progressive: true, chromaSubsampling: '4:4:4' } as const;
    const outputs = [
      outputSpec('plain', 'JPEG', { width: 300 }),
      outputSpec('tuned', 'JPEG', { width: 300, ...encoding({ jpeg }) }),
    ];
    const [plain, tuned] = assertOk(await processImage(makeTask(PHOTO, outputs))).outputs;

    expect(await meta(plain?.data ?? new ArrayBuffer(0))).toMatchObject({
      isProgressive: false,
      chromaSubsampling: '4:2:0',
    });
    expect(await meta(tuned?.data ?? new ArrayBuffer(0))).toMatchObject({
      isProgressive: true,
      chromaSubsampling: '4:4:4',
    });
  });

  it('quantises PNG to a palette, and compression trades time for bytes', async () => {
    const png = (compressionLevel: number, palette: boolean) =>
      ({ width: 300, ...encoding({ png: { compressionLevel, palette } }) });
    const outputs = [
      outputSpec('fast', 'PNG', png(1, false)),
      outputSpec('small', 'PNG', png(9, false)),
      outputSpec('palette', 'PNG', png(9, true)),
    ];
    const [fast, small, palette] = assertOk(await processImage(makeTask(PHOTO, outputs))).outputs;
    const bytes = (output: typeof fast) => output?.data.byteLength ?? 0;

    expect(bytes(small)).toBeLessThan(bytes(fast));
    expect(bytes(palette)).toBeLessThan(bytes(small) / 2);
    expect(await meta(palette?.data ?? new ArrayBuffer(0))).toMatchObject({ isPalette: true });
    const empty = new ArrayBuffer(0);
    expect(await perceptualDistance(palette?.data ?? empty, small?.data ?? empty)).toBeLessThan(3);
  });

  it.each(['WEBP', 'AVIF'] as const)('encodes %s losslessly when asked', async (format) => {
    const lossless = { lossless: true, effort: format === 'WEBP' ? 4 : 2 };
    const group = format === 'WEBP' ? { webp: lossless } : { avif: lossless };
    const file = 'pngsuite/z09n2c08.png';
    const output = onlyOutput(
      await processImage(makeTask(file, [outputSpec('l', format, encoding(group))])),
    );
    const reference = await direct(file);

    // WEBP is exact; lossless AVIF is exact in YUV, so sRGB rounding remains.
    const tolerance = format === 'WEBP' ? 0.01 : 1;
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(tolerance);
  });
});

describe('AUTO', () => {
  async function encodedSizes(file: string, formats: OutputFormat[], width: number) {
    const outputs = formats.map((format) =>
      outputSpec(format, format, { width, enlarge: true }),
    );
    const result = assertOk(await processImage(makeTask(file, outputs)));
    return Object.fromEntries(result.outputs.map((o) => [o.format, o.data.byteLength]));
  }

  it('picks the smallest of AVIF, WEBP and JPEG for an opaque photo', async () => {
    const auto = outputSpec('auto', 'AVIF', { width: 300, more: { pickSmallest: true } });
    const output = onlyOutput(await processImage(makeTask(PHOTO, [auto])));
    const sizes = await encodedSizes(PHOTO, ['AVIF', 'WEBP', 'JPEG'], 300);

    expect(output.data.byteLength).toBe(Math.min(...Object.values(sizes)));
    expect(sizes[output.format]).toBe(output.data.byteLength);
    expect(await inspectOutput(output.data)).toMatchObject({ width: 300, height: 200 });
  });

  it('never picks JPEG when the output has transparency', async () => {
    const options = { width: 64, enlarge: true, more: { pickSmallest: true } };
    const auto = outputSpec('auto', 'AVIF', options);
    const output = onlyOutput(await processImage(makeTask(TRANSPARENT, [auto])));
    const sizes = await encodedSizes(TRANSPARENT, ['AVIF', 'WEBP', 'PNG'], 64);

    expect(['AVIF', 'WEBP', 'PNG']).toContain(output.format);
    expect(output.data.byteLength).toBe(Math.min(...Object.values(sizes)));
    expect(await inspectOutput(output.data)).toMatchObject({ hasAlpha: true });
  });
});
