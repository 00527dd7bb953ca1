import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import type { MetadataSpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import type { OutputFormat } from '../../src/pool/task.ts';
import {
  CORPUS,
  assertOk,
  makeTask,
  outputData,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

// An Ultra HDR JPEG, 3840 × 2160, whose gain map is a quarter of its size.
const HDR = 'sharp/gain-map.jpg';
const KEEP: MetadataSpec = { icc: false, exif: false, copyright: false, gainMap: true };

/** The output's size and its gain map's size, or null when it has none. */
async function gainMapOf(data: ArrayBuffer) {
  const meta = await sharp(new Uint8Array(data)).metadata();
  if (meta.gainMap === undefined) return { width: meta.width, height: meta.height, map: null };
  const map = await sharp(meta.gainMap.image).metadata();
  return { width: meta.width, height: meta.height, map: { width: map.width, height: map.height } };
}

async function mapImage(data: ArrayBuffer): Promise<ArrayBuffer> {
  const { gainMap } = await sharp(new Uint8Array(data)).metadata();
  const png = await sharp(gainMap?.image ?? Buffer.alloc(0)).png().toBuffer();
  return new Uint8Array(png).buffer;
}

const keep = (id: string, format: OutputFormat, more: object = {}) =>
  outputSpec(id, format, { width: 640, more: { keepMetadata: KEEP, ...more } });

describe('keepMetadata.gainMap', () => {
  it('keeps the gain map on JPEG outputs, scaled and cut like the image', async () => {
    const outputs = [
      keep('inside', 'JPEG'),
      outputSpec('cover', 'JPEG', {
        width: 400,
        height: 400,
        fit: 'COVER',
        resize: { position: 'LEFT' },
        more: {
          keepMetadata: KEEP,
          geometry: {
            crop: { left: 800, top: 0, width: 2400, height: 2160 },
            trim: null,
            rotate: null,
            flip: false,
            flop: true,
          },
        },
      }),
      outputSpec('plain', 'JPEG', { width: 640 }),
    ];
    const result = assertOk(await processImage(makeTask(HDR, outputs)));

    expect(await gainMapOf(outputData(result, 'inside'))).toEqual({
      width: 640,
      height: 360,
      map: { width: 160, height: 90 },
    });
    expect(await gainMapOf(outputData(result, 'cover'))).toEqual({
      width: 400,
      height: 400,
      map: { width: 100, height: 100 },
    });
    expect((await gainMapOf(outputData(result, 'plain'))).map).toBeNull();

    // The map's content follows the image: the source's map, cut the same way.
    const { gainMap } = await sharp(readFileSync(new URL(HDR, CORPUS))).metadata();
    const sourceMap = gainMap?.image ?? Buffer.alloc(0);
    const cut = await sharp(sourceMap).extract({ left: 200, top: 0, width: 600, height: 540 })
      .flop()
      .png()
      .toBuffer();
    const expected = await sharp(cut).resize(111, 100, { fit: 'fill' })
      .extract({ left: 0, top: 0, width: 100, height: 100 })
      .png()
      .toBuffer();
    const kept = await mapImage(outputData(result, 'cover'));
    expect(await perceptualDistance(kept, new Uint8Array(expected).buffer)).toBeLessThan(3);
    // Not the mirror image, which would be the mistake to catch.
    const mirrored = await sharp(expected).flop().png().toBuffer();
    expect(await perceptualDistance(kept, new Uint8Array(mirrored).buffer)).toBeGreaterThan(5);

    // The image itself is the one the ordinary path makes.
    const distance = await perceptualDistance(
      outputData(result, 'inside'),
      outputData(result, 'plain'),
    );
    expect(distance).toBeLessThan(1);
  });

  it('makes outputs it cannot keep the map for without it, and does not fail', async () => {
    const outputs = [
      keep('webp', 'WEBP'),
      keep('adjusted', 'JPEG', {
        adjust: {
          blur: null,
          sharpen: null,
          grayscale: true,
          modulate: null,
          tint: null,
          gamma: null,
          normalise: false,
        },
      }),
    ];
    const result = assertOk(await processImage(makeTask(HDR, outputs)));
    for (const output of result.outputs) {
      expect({ id: output.id, ...(await gainMapOf(output.data)) }).toMatchObject({
        id: output.id,
        width: 640,
        map: null,
      });
    }
  });

  it('does nothing for a source without a gain map', async () => {
    const result = assertOk(await processImage(makeTask('kodak/kodim23.png', [keep('j', 'JPEG')])));
    const facts = await gainMapOf(outputData(result, 'j'));
    expect(facts).toEqual({ width: 640, height: 427, map: null });
  });
});
