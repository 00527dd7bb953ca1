import { readFileSync } from 'node:fs';

import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import type { MetadataSpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import type { OutputFormat } from '../../src/pool/task.ts';
import {
  CORPUS,
  assertOk,
  inspectOutput,
  makeTask,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

// A Canon photo whose EXIF names the camera, the software and the exposure.
const CAMERA = 'sharp/Landscape_9.jpg';

function keep(id: string, format: OutputFormat, keepMetadata: MetadataSpec) {
  return outputSpec(id, format, { width: 200, more: { keepMetadata } });
}

async function exifOf(data: ArrayBuffer) {
  const { exif } = await sharp(new Uint8Array(data)).metadata();
  return exif === undefined ? null : exifReader(exif);
}

describe('keepMetadata', () => {
  it('strips everything by default', async () => {
    const result = assertOk(
      await processImage(makeTask(CAMERA, [outputSpec('plain', 'JPEG', { width: 200 })])),
    );
    const facts = await inspectOutput(result.outputs[0]?.data ?? new ArrayBuffer(0));
    expect(facts).toMatchObject({ hasExif: false, hasProfile: false });
  });

  it.each(['JPEG', 'WEBP', 'PNG'] as const)('keeps EXIF in %s, upright', async (format) => {
    const spec = keep('e', format, { icc: false, exif: true, copyright: false });
    const result = assertOk(await processImage(makeTask(CAMERA, [spec])));
    const exif = await exifOf(result.outputs[0]?.data ?? new ArrayBuffer(0));

    expect(exif?.Image).toMatchObject({ Make: 'Canon', Model: 'Canon EOS 5D Mark III' });
    // Rationals survive exactly: 1/8000 s, f/1.2.
    expect(exif?.Photo).toMatchObject({ ExposureTime: 1 / 8000, FNumber: 1.2, FocalLength: 85 });
    expect(exif?.Image?.Orientation ?? 1).toBe(1);
  });

  it('keeps only the copyright and artist when that is all that is asked for', async () => {
    // The camera photo with a copyright line added, made here and never saved.
    const signed = await sharp(readFileSync(new URL(CAMERA, CORPUS)))
      .withExifMerge({ IFD0: { Copyright: 'Jane Roe 2016', Artist: 'Jane Roe' } })
      .keepIccProfile()
      .jpeg({ quality: 95 })
      .toBuffer();
    const spec = keep('c', 'JPEG', { icc: false, exif: false, copyright: true });
    const result = assertOk(
      await processImage({ ...makeTask(CAMERA, [spec]), source: new Uint8Array(signed).buffer }),
    );
    const exif = await exifOf(result.outputs[0]?.data ?? new ArrayBuffer(0));

    expect(exif?.Image).toMatchObject({ Copyright: 'Jane Roe 2016', Artist: 'Jane Roe' });
    expect(exif?.Image?.Make).toBeUndefined();
    expect(exif?.Photo?.ExposureTime).toBeUndefined();
  });

  it('embeds an sRGB profile that describes the converted pixels', async () => {
    const outputs = [
      keep('icc', 'JPEG', { icc: true, exif: false, copyright: false }),
      outputSpec('plain', 'JPEG', { width: 200 }),
    ];
    const result = assertOk(await processImage(makeTask('sharp/p3.png', outputs)));
    const [tagged, plain] = result.outputs;
    const meta = await sharp(new Uint8Array(tagged?.data ?? new ArrayBuffer(0))).metadata();

    expect(meta).toMatchObject({ hasProfile: true, space: 'srgb' });
    const empty = new ArrayBuffer(0);
    expect(await perceptualDistance(tagged?.data ?? empty, plain?.data ?? empty)).toBeLessThan(1);
  });
});
