import type { Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';

import type { GeometrySpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
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
const CLEAR = { r: 0, g: 0, b: 0, alpha: 0 };

/** Makes one output of `file` in a task of its own. */
async function makeOne(file: string, spec: ReturnType<typeof outputSpec>) {
  return onlyOutput(await processImage(makeTask(file, [spec])));
}

function geometry(options: Partial<GeometrySpec>): { more: { geometry: GeometrySpec } } {
  const none = { crop: null, trim: null, rotate: null, flip: false, flop: false };
  return { more: { geometry: { ...none, ...options } } };
}

describe('crop', () => {
  it('crops the upright source, then resizes the region, from a shared decode', async () => {
    const crop = { left: 300, top: 100, width: 400, height: 300 };
    // The thumbnail alone would let the decode shrink to 150 px; the crop needs more.
    const outputs = [
      outputSpec('thumb', 'PNG', { width: 150 }),
      outputSpec('crop', 'PNG', { width: 200, ...geometry({ crop }) }),
    ];
    const result = assertOk(await processImage(makeTask(PHOTO, outputs)));
    const [thumb, cropped] = result.outputs;

    expect([thumb?.width, cropped?.width, cropped?.height]).toEqual([150, 200, 150]);
    const reference = await direct(PHOTO, (i) => i.extract(crop), (i) => i.resize(200));
    const distance = await perceptualDistance(cropped?.data ?? new ArrayBuffer(0), reference);
    expect(distance).toBeLessThan(3);
  });

  it('crops in upright coordinates after EXIF orientation', async () => {
    const file = 'exif-orientation/Portrait_6.jpg'; // upright 1200 × 1800
    const crop = { left: 100, top: 900, width: 1000, height: 800 };
    const spec = outputSpec('c', 'JPEG', { width: 250, ...geometry({ crop }) });
    const output = await makeOne(file, spec);
    const reference = await direct(file, (i) => i.extract(crop), (i) => i.resize(250));

    expect(await inspectOutput(output.data)).toMatchObject({ width: 250, height: 200 });
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
  });

  it('clips a crop that runs past the edge, and fails one outside the source', async () => {
    const past = { left: 700, top: 500, width: 500, height: 500 };
    const clipped = onlyOutput(
      await processImage(makeTask(PHOTO, [outputSpec('c', 'PNG', geometry({ crop: past }))])),
    );
    expect([clipped.width, clipped.height]).toEqual([68, 12]);

    const outside = { left: 800, top: 0, width: 10, height: 10 };
    const result = await processImage(
      makeTask(PHOTO, [outputSpec('c', 'PNG', geometry({ crop: outside }))]),
    );
    expect(result).toMatchObject({ ok: false, code: 'CROP_OUTSIDE_SOURCE' });
  });
});

describe('trim', () => {
  it('trims borders as a direct trim does, then resizes what is left', async () => {
    const file = 'libvips/logo.svg'; // 736 × 552, trimmed to 220 × 275
    const trim = { threshold: 10 };
    const spec = outputSpec('t', 'PNG', { height: 100, ...geometry({ trim }) });
    const output = await makeOne(file, spec);
    const reference = await direct(file, (i) => i.trim(trim), (i) => i.resize(null, 100));

    expect(await inspectOutput(output.data)).toMatchObject({ width: 80, height: 100 });
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
  });

  it('keeps an image too small to trim (under 3 × 3) whole, as the job asked', async () => {
    const crop = { left: 0, top: 0, width: 2, height: 2 };
    const spec = outputSpec('t', 'PNG', geometry({ crop, trim: { threshold: 10 } }));
    const output = await makeOne('kodak/kodim23.png', spec);

    expect(await inspectOutput(output.data)).toMatchObject({ width: 2, height: 2 });
  });
});

describe('rotate, flip and flop', () => {
  it('rotates by a free angle onto the background, then resizes', async () => {
    const rotate = { angle: 30, background: CLEAR };
    const spec = outputSpec('r', 'PNG', { width: 300, ...geometry({ rotate }) });
    const output = await makeOne(PHOTO, spec);
    const reference = await direct(
      PHOTO,
      (i) => i.rotate(30, { background: '#00000000' }),
      (i) => i.resize(300),
    );

    const facts = await inspectOutput(output.data);
    // 768 × 512 turned 30° has a 921 × 827 bounding box.
    expect(facts).toMatchObject({ width: 300, height: 269, hasAlpha: true });
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
  });

  it('mirrors before a quarter turn, as sharp does', async () => {
    const rotate = { angle: 90, background: CLEAR };
    const options = { width: 200, ...geometry({ rotate, flop: true }) };
    const output = await makeOne(PHOTO, outputSpec('r', 'JPEG', options));
    const resize = (i: Sharp) => i.resize(200);
    const reference = await direct(PHOTO, (i) => i.flop(), (i) => i.rotate(90), resize);

    expect(await inspectOutput(output.data)).toMatchObject({ width: 200, height: 300 });
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
    // Turning first and mirroring after gives the image upside down instead.
    const otherOrder = await direct(PHOTO, (i) => i.rotate(90), (i) => i.flop(), resize);
    expect(await perceptualDistance(output.data, otherOrder)).toBeGreaterThan(10);
  });

  it('flips top to bottom', async () => {
    const spec = outputSpec('f', 'PNG', { width: 200, ...geometry({ flip: true }) });
    const output = await makeOne(PHOTO, spec);
    const reference = await direct(PHOTO, (i) => i.flip(), (i) => i.resize(200));
    expect(await perceptualDistance(output.data, reference)).toBeLessThan(3);
  });
});
