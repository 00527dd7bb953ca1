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

/** TIFF tag 259 (Compression) of the first IFD: sharp's metadata leaves it out. */
function tiffCompression(data: ArrayBuffer): string {
  const view = new DataView(data);
  const little = view.getUint16(0) === 0x4949;
  const ifd = view.getUint32(4, little);
  const entries = view.getUint16(ifd, little);
  for (let at = ifd + 2; at < ifd + 2 + entries * 12; at += 12) {
    if (view.getUint16(at, little) !== 259) continue;
    const code = view.getUint16(at + 8, little);
    return { 1: 'none', 5: 'lzw', 7: 'jpeg', 8: 'deflate' }[code] ?? `code ${code}`;
  }
  return 'absent';
}

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

describe('GIF and TIFF', () => {
  it('writes a palette GIF, smaller with fewer colours, keeping 1-bit transparency', async () => {
    const gif = (colours: number, dither: number) =>
      ({ width: 300, ...encoding({ gif: { colours, dither, effort: 7 } }) });
    const outputs = [
      outputSpec('full', 'GIF', gif(256, 1)),
      outputSpec('few', 'GIF', gif(16, 0)),
      outputSpec('reference', 'PNG', { width: 300 }),
    ];
    const result = assertOk(await processImage(makeTask(PHOTO, outputs)));
    const [full, few, reference] = result.outputs.map((output) => output.data);
    const empty = new ArrayBuffer(0);

    expect(await inspectOutput(full ?? empty)).toMatchObject({
      format: 'gif',
      width: 300,
      height: 200,
    });
    expect(few?.byteLength).toBeLessThan((full?.byteLength ?? 0) / 2);
    expect(await perceptualDistance(full ?? empty, reference ?? empty)).toBeLessThan(2);

    const clear = onlyOutput(
      await processImage(makeTask(TRANSPARENT, [outputSpec('clear', 'GIF')])),
    );
    const alpha = await sharp(new Uint8Array(clear.data)).extractChannel(3).raw().toBuffer();
    expect(new Set(alpha)).toEqual(new Set([0, 255]));
  });

  it.each(['LZW', 'DEFLATE', 'NONE', 'JPEG'] as const)(
    'writes TIFF with %s compression, alpha kept',
    async (compression) => {
      const tiff = outputSpec('tiff', 'TIFF', encoding({ tiff: { compression } }));
      const output = onlyOutput(await processImage(makeTask(PHOTO, [tiff])));
      const facts = await meta(output.data);

      expect(facts).toMatchObject({ format: 'tiff', width: 768, height: 512 });
      expect(tiffCompression(output.data)).toBe(compression.toLowerCase());
      const tolerance = compression === 'JPEG' ? 2 : 0.01;
      expect(await perceptualDistance(output.data, await direct(PHOTO))).toBeLessThan(tolerance);

      if (compression === 'JPEG') return;
      const clear = onlyOutput(
        await processImage(makeTask(TRANSPARENT, [outputSpec('clear', 'TIFF')])),
      );
      expect(await inspectOutput(clear.data)).toMatchObject({ hasAlpha: true, channels: 4 });
    },
  );

  it('refuses a JPEG-compressed TIFF past JPEG\'s 65535-px side before decoding', async () => {
    // 70000 × 100 is within the pixel limit; only the side is too long.
    const tiff = (compression: 'JPEG' | 'LZW') =>
      outputSpec('tiff', 'TIFF', {
        width: 70_000,
        height: 100,
        fit: 'FILL',
        enlarge: true,
        ...encoding({ tiff: { compression } }),
      });
    const file = 'pngsuite/basn3p08.png';
    const jpeg = await processImage(makeTask(file, [tiff('JPEG')]));
    expect(jpeg).toMatchObject({ ok: false, code: 'OUTPUT_TOO_LARGE' });
    expect(jpeg.ok ? '' : jpeg.message).toContain('allows 65535');

    const lzw = onlyOutput(await processImage(makeTask(file, [tiff('LZW')])));
    expect(lzw).toMatchObject({ width: 70_000, height: 100 });
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
