import { readFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import type { OutputDoneMessage } from '../../src/pool/task.ts';
import {
  CORPUS,
  LIMIT_100_MP,
  assertOk,
  channelMeans,
  inspectOutput,
  makeTask,
  outputData,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const ORIENTATIONS = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;

async function thumbnailOf(file: string): Promise<ArrayBuffer> {
  const result = assertOk(
    await processImage(makeTask(file, [outputSpec('thumb', 'WEBP', { width: 150 })])),
  );
  return outputData(result, 'thumb');
}

/** The mean colour of the source composited over grey level `background`, without flatten(). */
async function meansOver(file: string, background: number): Promise<number[]> {
  const { data, info } = await sharp(readFileSync(new URL(file, CORPUS)))
    .toColourspace('srgb')
    .ensureAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const sums = [0, 0, 0];
  for (let at = 0; at < data.length; at += info.channels) {
    const alpha = (data[at + 3] ?? 0) / 255;
    for (let c = 0; c < 3; c += 1) {
      sums[c] = (sums[c] ?? 0) + (data[at + c] ?? 0) * alpha + background * (1 - alpha);
    }
  }
  const pixels = info.width * info.height;
  return sums.map((sum) => sum / pixels);
}

describe('processImage orientation', () => {
  for (const shape of ['Landscape', 'Portrait'] as const) {
    it(`turns every ${shape} EXIF orientation upright`, async () => {
      const reference = await thumbnailOf(`exif-orientation/${shape}_1.jpg`);
      const upright = { width: 150, height: shape === 'Landscape' ? 100 : 225 };

      for (const orientation of ORIENTATIONS) {
        const thumb = await thumbnailOf(`exif-orientation/${shape}_${orientation}.jpg`);
        const facts = await inspectOutput(thumb);
        expect({ orientation, width: facts.width, height: facts.height }).toEqual({
          orientation,
          ...upright,
        });
        // The same upright, unmirrored "F" as orientation 1, not just the same size.
        expect(await perceptualDistance(thumb, reference)).toBeLessThan(4);
      }

      const mirrored = await sharp(new Uint8Array(reference)).flop().webp().toBuffer();
      const mirroredBuffer = new Uint8Array(mirrored).buffer;
      expect(await perceptualDistance(mirroredBuffer, reference)).toBeGreaterThan(10);
    });
  }

  it('reports the upright source size and the decoded pixels', async () => {
    const result = assertOk(
      await processImage(
        makeTask('exif-orientation/Portrait_6.jpg', [outputSpec('a', 'JPEG', { width: 720 })]),
      ),
    );

    expect(result.source).toEqual({ format: 'jpeg', width: 1200, height: 1800 });
    expect(result.pixelsProcessed).toBe(1200 * 1800);
    expect(result.outputs[0]).toMatchObject({ id: 'a', format: 'JPEG', width: 720, height: 1080 });
  });
});

describe('processImage colour', () => {
  for (const file of ['pngsuite/basn6a08.png', 'pngsuite/basn6a16.png']) {
    it(`flattens transparent ${file} onto white for JPEG`, async () => {
      const result = assertOk(await processImage(makeTask(file, [outputSpec('j', 'JPEG')])));
      const jpeg = outputData(result, 'j');
      const facts = await inspectOutput(jpeg);
      const overWhite = await meansOver(file, 255);
      const overBlack = await meansOver(file, 0);
      const actual = await channelMeans(jpeg);

      expect(facts).toMatchObject({ format: 'jpeg', channels: 3, space: 'srgb', depth: 'uchar' });
      for (let c = 0; c < 3; c += 1) {
        expect(actual[c]).toBeCloseTo(overWhite[c] ?? 0, -1);
        // The source is see-through enough that a black background could not pass.
        expect((overWhite[c] ?? 0) - (overBlack[c] ?? 0)).toBeGreaterThan(60);
      }
    });
  }

  it('makes a fully transparent PNG a white JPEG and keeps alpha in WEBP', async () => {
    const result = assertOk(
      await processImage(
        makeTask('sharp/full-transparent.png', [outputSpec('j', 'JPEG'), outputSpec('w', 'WEBP')]),
      ),
    );

    const means = await channelMeans(outputData(result, 'j'));
    for (const mean of means) expect(mean).toBeGreaterThan(250);
    expect(await inspectOutput(outputData(result, 'w'))).toMatchObject({ hasAlpha: true });
  });

  it.each([
    'sharp/Channel_digital_image_CMYK_color.jpg',
    'sharp/Channel_digital_image_CMYK_color_no_profile.jpg',
    'pillow/pil_sample_cmyk.jpg',
  ])('converts CMYK %s to sRGB', async (file) => {
    const result = assertOk(await processImage(makeTask(file, [outputSpec('j', 'JPEG')])));
    const facts = await inspectOutput(outputData(result, 'j'));

    expect(facts).toMatchObject({ space: 'srgb', channels: 3, hasProfile: false });
  });

  it('keeps the colours of a 16-bit PNG, as 8-bit', async () => {
    const outputs = [outputSpec('p', 'PNG', { width: 300 })];
    const deep = assertOk(
      await processImage(makeTask('sharp/Flag_of_the_Netherlands-16bit.png', outputs)),
    );
    const shallow = assertOk(
      await processImage(makeTask('sharp/Flag_of_the_Netherlands.png', outputs)),
    );
    const deepPng = outputData(deep, 'p');

    expect(await inspectOutput(deepPng)).toMatchObject({ depth: 'uchar', space: 'srgb' });
    expect(await perceptualDistance(deepPng, outputData(shallow, 'p'))).toBeLessThan(1);
    const [red, green, blue] = await channelMeans(deepPng);
    expect({ red, green, blue }).toEqual({
      red: expect.closeTo(154, -1),
      green: expect.closeTo(118, -1),
      blue: expect.closeTo(145, -1),
    });
  });

  it('converts a Display P3 source to sRGB and strips profile and EXIF', async () => {
    const p3 = assertOk(await processImage(makeTask('sharp/p3.png', [outputSpec('j', 'JPEG')])));
    const [red, green] = await channelMeans(outputData(p3, 'j'));
    expect(red).toBeGreaterThan(240);
    expect(green).toBeLessThan(15);
    expect(await inspectOutput(outputData(p3, 'j'))).toMatchObject({ hasProfile: false });

    const exif = assertOk(
      await processImage(makeTask('exif-orientation/Landscape_6.jpg', [outputSpec('j', 'JPEG')])),
    );
    expect(await inspectOutput(outputData(exif, 'j'))).toMatchObject({ hasExif: false });
  });
});

describe('processImage outputs', () => {
  it('encodes JPEG, PNG, WEBP and AVIF from one task', async () => {
    const formats = ['JPEG', 'PNG', 'WEBP', 'AVIF'] as const;
    const outputs = formats.map((format) => outputSpec(format, format, { width: 200 }));
    const result = assertOk(await processImage(makeTask('kodak/kodim23.png', outputs)));

    const facts = await Promise.all(result.outputs.map((output) => inspectOutput(output.data)));
    expect(facts.map(({ format, width, height }) => ({ format, width, height }))).toEqual([
      { format: 'jpeg', width: 200, height: 133 },
      { format: 'png', width: 200, height: 133 },
      { format: 'webp', width: 200, height: 133 },
      { format: 'heif', width: 200, height: 133 },
    ]);
  });

  it('refuses a WEBP wider than 16383 before decoding', async () => {
    const huge = outputSpec('huge', 'WEBP', { width: 20_000, enlarge: true });
    const result = await processImage(makeTask('kodak/kodim03.png', [huge]));

    expect(result).toMatchObject({ ok: false, code: 'OUTPUT_TOO_LARGE' });
  });

  it('returns standalone, transferable output buffers', async () => {
    const result = assertOk(
      await processImage(
        makeTask('kodak/kodim01.png', [outputSpec('a', 'JPEG'), outputSpec('b', 'PNG')]),
      ),
    );

    for (const { data } of result.outputs) {
      expect(data).toBeInstanceOf(ArrayBuffer);
      const size = data.byteLength;
      const moved = structuredClone(data, { transfer: [data] });
      expect([data.byteLength, moved.byteLength]).toEqual([0, size]);
    }
  });

  it('posts one progress message per output, then closes the port', async () => {
    const channel = new MessageChannel();
    const received: OutputDoneMessage[] = [];
    channel.port1.on('message', (message: OutputDoneMessage) => received.push(message));
    const closed = new Promise((resolve) => channel.port1.once('close', resolve));
    const outputs = ['small', 'medium', 'large'].map((id, i) =>
      outputSpec(id, 'JPEG', { width: 100 * (i + 1) }),
    );

    assertOk(
      await processImage({
        ...makeTask('kodak/kodim03.png', outputs),
        progressPort: channel.port2,
      }),
    );
    await closed;

    expect(received.map((message) => message.outputId)).toEqual(['small', 'medium', 'large']);
  });

  it('decodes only the first frame of an animation', async () => {
    const result = assertOk(
      await processImage(makeTask('pillow/iss634.gif', [outputSpec('p', 'PNG')], LIMIT_100_MP)),
    );

    expect(result.outputs[0]).toMatchObject({ width: 245, height: 245 });
    expect(result.pixelsProcessed).toBe(245 * 245);
  });

  it('does not follow file references inside an SVG', async () => {
    const href = new URL('kodak/kodim01.png', CORPUS).href;
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">' +
      `<image width="64" height="64" href="${href}"/></svg>`;
    const source = new Uint8Array(Buffer.from(svg)).buffer;
    const result = assertOk(
      await processImage({
        source,
        outputs: [outputSpec('p', 'PNG')],
        limits: { maxInputPixels: LIMIT_100_MP, maxOutputPixels: LIMIT_100_MP },
      }),
    );

    const alpha = (await channelMeans(outputData(result, 'p')))[3];
    expect(alpha).toBe(0);
  });
});
