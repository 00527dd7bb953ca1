import { readFileSync } from 'node:fs';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import type { WatermarkSpec } from '../../src/pool/output-options.ts';
import type { OutputSpec, ProcessTask } from '../../src/pool/task.ts';
import {
  CORPUS,
  LIMIT_100_MP,
  assertOk,
  makeTask,
  onlyOutput,
  outputData,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const SQUARES = 'sharp/rotating-squares.gif'; // 80 × 80, 30 frames of 30 ms, loops forever
const LOOP_3 = 'sharp/animated-loop-3.gif'; // 370 × 285, 10 frames, plays 3 times

const asBuffer = (data: ArrayBuffer | Buffer) => (Buffer.isBuffer(data) ? data : Buffer.from(data));

/** Frames, loop and delays as the encoded file itself declares them. */
async function playback(data: ArrayBuffer | Buffer) {
  const meta = await sharp(asBuffer(data)).metadata();
  return {
    frames: meta.pages ?? 1,
    loop: meta.loop,
    delay: meta.delay,
    width: meta.width,
    height: meta.pageHeight ?? meta.height,
  };
}

/** One frame of an encoded animation (or a corpus file) as a standalone PNG. */
async function frameOf(data: ArrayBuffer | Buffer, page: number): Promise<ArrayBuffer> {
  const png = await sharp(asBuffer(data), { page }).png().toBuffer();
  return new Uint8Array(png).buffer;
}

const corpus = (file: string) => readFileSync(new URL(file, CORPUS));

/** A job made of one still PNG: the reference for what one frame should become. */
function stillTask(png: ArrayBuffer, outputs: OutputSpec[]): ProcessTask {
  const limits = { maxInputPixels: LIMIT_100_MP, maxOutputPixels: LIMIT_100_MP };
  return { source: png, outputs, limits };
}

/** Browsers (and libwebp) play a delay of 10 ms or less as 100 ms. */
const played = (delay: readonly number[]) => delay.map((ms) => (ms <= 10 ? 100 : ms));

describe('animated sources', () => {
  it('keeps every frame, the loop count and each delay in a GIF output', async () => {
    const source = await sharp(corpus(SQUARES)).metadata();
    const output = onlyOutput(
      await processImage(makeTask(SQUARES, [outputSpec('gif', 'GIF', { width: 40 })])),
    );

    expect(await playback(output.data)).toEqual({
      frames: 30,
      loop: 0,
      delay: source.delay,
      width: 40,
      height: 40,
    });
    expect(output).toMatchObject({ frames: 30, loopCount: 0, durationMs: 900 });
  });

  it.each([LOOP_3, 'sharp/animated-loop-3.webp'])(
    'keeps loop 3 and the total duration of %s in GIF, WEBP and AUTO outputs',
    async (file) => {
      const source = await sharp(corpus(file)).metadata();
      const total = played(source.delay ?? []).reduce((sum, ms) => sum + ms, 0);
      const outputs = [
        outputSpec('gif', 'GIF', { width: 100 }),
        outputSpec('webp', 'WEBP', { width: 100 }),
        outputSpec('auto', 'AVIF', { width: 100, more: { pickSmallest: true } }),
      ];
      const result = assertOk(await processImage(makeTask(file, outputs)));

      for (const output of result.outputs) {
        const header = await playback(output.data);
        const duration = (header.delay ?? []).reduce((sum, ms) => sum + ms, 0);
        expect({ id: output.id, loop: header.loop, duration }).toEqual({
          id: output.id,
          loop: 3,
          duration: total,
        });
        // What the output reports is what its own header says.
        expect(output).toMatchObject({
          frames: header.frames,
          loopCount: 3,
          durationMs: total,
        });
      }
      expect(result.outputs.map((output) => output.format)).toEqual(['GIF', 'WEBP', 'WEBP']);
      expect(result.outputs[0]?.frames).toBe(10);
    },
  );

  it.each(['JPEG', 'PNG', 'AVIF', 'TIFF'] as const)(
    'takes the first frame for a %s output, the same whether or not frames are decoded',
    async (format) => {
      const alone = onlyOutput(
        await processImage(makeTask(LOOP_3, [outputSpec('still', format, { width: 120 })])),
      );
      const beside = assertOk(
        await processImage(
          makeTask(LOOP_3, [
            outputSpec('gif', 'GIF', { width: 120 }),
            outputSpec('still', format, { width: 120 }),
          ]),
        ),
      );
      const still = outputData(beside, 'still');

      expect(alone).toMatchObject({ frames: 1, loopCount: null, durationMs: null });
      expect((await playback(still)).frames).toBe(1);
      expect(await perceptualDistance(still, alone.data)).toBeLessThan(1);
      // The first frame, not the last (5.3 apart on this scale).
      const first = await perceptualDistance(still, await frameOf(corpus(LOOP_3), 0));
      const last = await perceptualDistance(still, await frameOf(corpus(LOOP_3), 9));
      expect(first).toBeLessThan(1.5);
      expect(last).toBeGreaterThan(first + 3);
    },
  );

  it('crops, mirrors, turns, resizes and adjusts every frame as a still', async () => {
    const spec = (format: 'GIF' | 'PNG') =>
      outputSpec('out', format, {
        width: 60,
        height: 50,
        fit: 'COVER',
        resize: { position: 'LEFT_TOP' },
        more: {
          geometry: {
            crop: { left: 20, top: 10, width: 300, height: 250 },
            trim: null,
            rotate: { angle: 90, background: { r: 0, g: 0, b: 0, alpha: 0 } },
            flip: true,
            flop: false,
          },
          adjust: {
            blur: null,
            sharpen: null,
            grayscale: false,
            modulate: { brightness: 1.2, saturation: 0.5, hue: 30 },
            tint: null,
            gamma: null,
            normalise: false,
          },
        },
      });
    const animated = onlyOutput(await processImage(makeTask(LOOP_3, [spec('GIF')])));
    expect(await playback(animated.data)).toMatchObject({ frames: 10, width: 60, height: 50 });

    for (const page of [0, 4, 9]) {
      const source = await frameOf(corpus(LOOP_3), page);
      const reference = onlyOutput(await processImage(stillTask(source, [spec('PNG')])));
      const frame = await frameOf(animated.data, page);
      // GIF's 256-colour palette costs a little closeness, nothing like another frame's.
      const distance = await perceptualDistance(frame, reference.data);
      expect(distance, `frame ${page}`).toBeLessThan(1);
    }
  });

  it('decides trim and a smart crop once, on the first frame, for every frame', async () => {
    const spec = (format: 'GIF' | 'PNG') =>
      outputSpec('out', format, {
        width: 100,
        height: 100,
        fit: 'COVER',
        resize: { gravity: 'ENTROPY' },
        more: {
          geometry: { crop: null, trim: { threshold: 30 }, rotate: null, flip: false, flop: false },
        },
      });
    const animated = onlyOutput(await processImage(makeTask(LOOP_3, [spec('GIF')])));
    const first = await frameOf(corpus(LOOP_3), 0);
    const reference = onlyOutput(await processImage(stillTask(first, [spec('PNG')])));

    expect([animated.width, animated.height]).toEqual([reference.width, reference.height]);
    expect(await perceptualDistance(await frameOf(animated.data, 0), reference.data))
      .toBeLessThan(3);
  });

  it('cuts every frame with the trim box of the first frame', async () => {
    const trimBox = async (page: number) => {
      const { info } = await sharp(corpus(LOOP_3), { page })
        .trim({ threshold: 10 })
        .raw()
        .toBuffer({ resolveWithObject: true });
      const left = -(info.trimOffsetLeft ?? 0);
      const top = -(info.trimOffsetTop ?? 0);
      return { left, top, width: info.width, height: info.height };
    };
    const first = await trimBox(0);
    expect(await trimBox(9)).not.toEqual(first);

    const trim = { crop: null, trim: { threshold: 10 }, rotate: null, flip: false, flop: false };
    const spec = outputSpec('gif', 'GIF', { more: { geometry: trim } });
    const output = onlyOutput(await processImage(makeTask(LOOP_3, [spec])));
    expect(output).toMatchObject({ width: first.width, height: first.height, frames: 10 });

    const expected = await sharp(corpus(LOOP_3), { page: 9 }).extract(first).png().toBuffer();
    const distance = await perceptualDistance(
      await frameOf(output.data, 9),
      new Uint8Array(expected).buffer,
    );
    expect(distance).toBeLessThan(1.5);
  });

  it.each(['libvips/dispose-previous.gif', 'libvips/dispose-background.gif', 'libvips/cogs.gif'])(
    'composites the frames of %s as libvips plays them',
    async (file) => {
      const source = await sharp(corpus(file)).metadata();
      const output = onlyOutput(await processImage(makeTask(file, [outputSpec('gif', 'GIF')])));
      expect(output.frames).toBe(source.pages);

      for (let page = 0; page < (source.pages ?? 1); page += 1) {
        const distance = await perceptualDistance(
          await frameOf(output.data, page),
          await frameOf(corpus(file), page),
        );
        expect(distance, `frame ${page}`).toBeLessThan(4);
      }
    },
  );

  it('holds a very tall animated WEBP to the frame size, not the stacked height', async () => {
    // 97 frames of 13 × 169: 16,393 rows stacked, over WEBP's 16,383-px side.
    const result = assertOk(
      await processImage(
        makeTask('sharp/big-height.webp', [
          outputSpec('gif', 'GIF'),
          outputSpec('webp', 'WEBP'),
        ]),
      ),
    );
    expect(await playback(outputData(result, 'gif'))).toMatchObject({
      frames: 97,
      width: 13,
      height: 169,
    });
    expect(result.outputs[1]).toMatchObject({ width: 13, height: 169 });
  });

  it('fails an animated output of a GIF with a damaged frame; a still works', async () => {
    const file = 'libvips/invalid_multiframe.gif';
    const animated = await processImage(makeTask(file, [outputSpec('gif', 'GIF')]));
    expect(animated).toMatchObject({ ok: false, code: 'CORRUPT_IMAGE' });

    const still = await processImage(makeTask(file, [outputSpec('png', 'PNG')]));
    expect(onlyOutput(still)).toMatchObject({ frames: 1, width: 10, height: 9 });
  });

  it('reads an APNG as a still: libvips decodes only its default image', async () => {
    const output = onlyOutput(
      await processImage(makeTask('pillow/iss634.apng', [outputSpec('gif', 'GIF')])),
    );
    expect(output).toMatchObject({ frames: 1, loopCount: null, durationMs: null });
  });

  it('meters every decoded frame, and only the first when no output animates', async () => {
    const animated = assertOk(
      await processImage(makeTask(SQUARES, [outputSpec('gif', 'GIF')])),
    );
    const still = assertOk(await processImage(makeTask(SQUARES, [outputSpec('jpeg', 'JPEG')])));
    expect([animated.pixelsProcessed, still.pixelsProcessed]).toEqual([80 * 80 * 30, 80 * 80]);
  });

  it('refuses a source with more frames than the limit before decoding', async () => {
    const task = (maxFrames: number): ProcessTask => ({
      ...makeTask(SQUARES, [outputSpec('jpeg', 'JPEG')]),
      limits: { maxInputPixels: LIMIT_100_MP, maxOutputPixels: LIMIT_100_MP, maxFrames },
    });
    expect(await processImage(task(29))).toMatchObject({ ok: false, code: 'TOO_MANY_FRAMES' });
    expect(await processImage(task(30))).toMatchObject({ ok: true });
  });

  it('draws the watermark on every frame of an animated output', async () => {
    const red = { r: 255, g: 0, b: 0, alpha: 1 };
    const watermark: WatermarkSpec = {
      mark: { kind: 'text', text: 'PF', colour: red, font: 'Sans' },
      gravity: 'CENTRE',
      margin: 0,
      size: 0.8,
      opacity: 1,
      tile: false,
    };
    const result = assertOk(await processImage(makeTask(LOOP_3, [
      outputSpec('plain', 'GIF', { width: 185 }),
      outputSpec('marked', 'GIF', { width: 185, more: { watermark } }),
    ])));
    const plain = outputData(result, 'plain');
    const marked = outputData(result, 'marked');
    expect(await playback(marked)).toEqual(await playback(plain));

    // Red over the middle of each frame: more red than green there than before.
    const redness = async (data: ArrayBuffer, page: number) => {
      const { channels } = await sharp(asBuffer(data), { page })
        .extract({ left: 60, top: 50, width: 65, height: 40 })
        .stats();
      return (channels[0]?.mean ?? 0) - (channels[1]?.mean ?? 0);
    };
    for (const page of [0, 4, 9]) {
      expect(await redness(marked, page)).toBeGreaterThan((await redness(plain, page)) + 20);
    }
  });
});
