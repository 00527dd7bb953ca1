import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { processImage } from '../../src/pool/process-task.ts';
import type { OutputSpec, ProcessResult } from '../../src/pool/task.ts';
import {
  CORPUS,
  LIMIT_100_MP,
  assertOk,
  channelMeans,
  inspectOutput,
  makeTask,
  onlyOutput,
  outputSpec,
  perceptualDistance,
} from './corpus.ts';

const LIMITS = { maxInputPixels: LIMIT_100_MP, maxOutputPixels: LIMIT_100_MP };

function processBytes(bytes: Uint8Array, outputs: OutputSpec[]): Promise<ProcessResult> {
  return processImage({ source: new Uint8Array(bytes).buffer, outputs, limits: LIMITS });
}

const svgOf = (text: string) => new Uint8Array(Buffer.from(text));

describe('SVG sources reach nothing outside their bytes', () => {
  let server: Server;
  const requests: string[] = [];
  let origin = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('never fetches http:// images, patterns or stylesheets', async () => {
    const svg = svgOf(
      `<?xml-stylesheet href="${origin}/sheet.css"?>` +
        '<svg xmlns="http://www.w3.org/2000/svg" ' +
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">' +
        `<style>@import url(${origin}/import.css);</style>` +
        `<image width="64" height="64" href="${origin}/x.png"/>` +
        `<image width="64" height="64" xlink:href="${origin}/y.png"/>` +
        `<rect width="64" height="64" fill="url(${origin}/z.svg#paint)"/></svg>`,
    );
    const result = await processBytes(svg, [outputSpec('p', 'PNG')]);

    // It still completes: the references are simply left out.
    expect(await inspectOutput(onlyOutput(result).data)).toMatchObject({ width: 64 });
    // Give a request that was sent late a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(requests).toEqual([]);
  });

  it('refuses an external entity (XXE) as a corrupt image, reading no file', async () => {
    for (const system of ['file:///etc/passwd', `${origin}/entity`]) {
      const svg = svgOf(
        `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "${system}">]>` +
          '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">' +
          '<text x="0" y="20">&xxe;</text></svg>',
      );
      const result = await processBytes(svg, [outputSpec('p', 'PNG')]);

      expect(result).toMatchObject({ ok: false, code: 'CORRUPT_IMAGE' });
      expect(result.ok ? '' : result.message).not.toContain('root:');
    }
    expect(requests).toEqual([]);
  });

  it('does not include a local file through XInclude', async () => {
    const svg = svgOf(
      '<svg xmlns="http://www.w3.org/2000/svg" ' +
        'xmlns:xi="http://www.w3.org/2001/XInclude" width="64" height="64">' +
        '<text x="0" y="40" font-size="30"><xi:include href="file:///etc/passwd" ' +
        'parse="text"/></text></svg>',
    );
    const png = onlyOutput(await processBytes(svg, [outputSpec('p', 'PNG')]));

    // Nothing was drawn: the text would have put ink on the canvas.
    expect((await channelMeans(png.data))[3]).toBe(0);
  });
});

describe('multi-page sources', () => {
  // Its two pages differ in size: 2464 × 3248, then 1232 × 1624.
  const TIFF = 'sharp/G31D_MULTI.TIF';

  it('use the first page of a TIFF whose pages differ in size', async () => {
    const bytes = readFileSync(new URL(TIFF, CORPUS));
    const pages = await Promise.all(
      [0, 1].map(async (page) => sharp(bytes, { page }).metadata()),
    );
    expect(pages.map(({ width, height }) => [width, height])).toEqual([
      [2464, 3248],
      [1232, 1624],
    ]);

    const outputs = [outputSpec('full', 'PNG'), outputSpec('small', 'PNG', { width: 300 })];
    const result = assertOk(await processImage(makeTask(TIFF, outputs)));
    expect(result.source).toEqual({ format: 'tiff', width: 2464, height: 3248 });
    expect(result.pixelsProcessed).toBe(2464 * 3248);
    expect(result.outputs.map(({ width, height }) => [width, height])).toEqual([
      [2464, 3248],
      [300, 395],
    ]);

    const first = await sharp(bytes, { page: 0 }).resize(300).png().toBuffer();
    const small = result.outputs[1]?.data ?? new ArrayBuffer(0);
    expect(await perceptualDistance(small, new Uint8Array(first).buffer)).toBeLessThan(3);
  });
});

describe('orientation beyond the EXIF-orientation set', () => {
  it('turns a WebP with EXIF orientation 6 upright', async () => {
    const file = 'pillow/hopper_orientation_6.webp';
    const png = onlyOutput(await processImage(makeTask(file, [outputSpec('p', 'PNG')])));
    // Orientation 6 means "rotate 90° clockwise to view": done by hand on the stored pixels.
    const stored = await sharp(readFileSync(new URL(file, CORPUS))).rotate(90).png().toBuffer();
    const wrong = await sharp(readFileSync(new URL(file, CORPUS))).png().toBuffer();

    expect(await perceptualDistance(png.data, new Uint8Array(stored).buffer)).toBeLessThan(3);
    expect(await perceptualDistance(png.data, new Uint8Array(wrong).buffer)).toBeGreaterThan(10);
  });

  it('keeps an AVIF with irot/imir orientation upright (portrait)', async () => {
    const result = assertOk(
      await processImage(
        makeTask('libvips/avif-orientation-6.avif', [outputSpec('j', 'JPEG', { width: 300 })]),
      ),
    );
    expect(result.source).toMatchObject({ width: 3024, height: 4032 });
    expect(result.outputs[0]).toMatchObject({ width: 300, height: 400 });
  });
});

describe('outputs too large for their format', () => {
  // 20000 × 200: within the pixel limits, wider than WEBP allows.
  let wide: Uint8Array;

  beforeAll(async () => {
    const raw = { width: 20_000, height: 200, channels: 3 as const, background: '#336699' };
    wide = new Uint8Array(await sharp({ create: raw }).png().toBuffer());
  });

  let strip: Uint8Array;
  beforeAll(async () => {
    const raw = { width: 400, height: 10, channels: 3 as const, background: '#996633' };
    strip = new Uint8Array(await sharp({ create: raw }).png().toBuffer());
  });
  const auto = { pickSmallest: true };

  it.each([
    ['WEBP at source size', () => wide, outputSpec('o', 'WEBP'), 'WEBP allows 16383'],
    ['AUTO at source size', () => wide, outputSpec('o', 'AVIF', { more: auto }), 'AUTO allows'],
    ['WEBP sized by height', () => wide, outputSpec('o', 'WEBP', { height: 180 }), '18000x180'],
    [
      'AUTO enlarged past 16383',
      () => strip,
      outputSpec('o', 'AVIF', { width: 20_000, enlarge: true, more: auto }),
      'AUTO allows 16383',
    ],
  ])('refuses %s clearly, before decoding', async (_name, source, spec, says) => {
    const result = await processBytes(source(), [spec]);

    expect(result).toMatchObject({ ok: false, code: 'OUTPUT_TOO_LARGE' });
    expect(result.ok ? '' : result.message).toContain(says);
  });

  it('makes the same source in a format that allows it, or resized to fit', async () => {
    const result = assertOk(
      await processBytes(wide, [
        outputSpec('jpeg', 'JPEG'),
        outputSpec('webp', 'WEBP', { width: 16_383 }),
      ]),
    );
    expect(result.outputs.map(({ width, height }) => [width, height])).toEqual([
      [20_000, 200],
      [16_383, 164],
    ]);
  });
});
