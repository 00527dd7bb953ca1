import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { escapeMarkup } from '../../src/pool/apply-watermark.ts';
import type { WatermarkSpec } from '../../src/pool/output-options.ts';
import { processImage } from '../../src/pool/process-task.ts';
import type { OutputFormat, ProcessTask } from '../../src/pool/task.ts';
import { assertOk, makeTask, outputData, outputSpec } from './corpus.ts';

const PHOTO = 'kodak/kodim23.png'; // 768 × 512; outputs here are 400 × 267
const WIDTH = 400;
const LOGO = 'logo';

interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

const LEFT_TOP: Region = { left: 10, top: 10, width: 100, height: 100 };
const RIGHT_BOTTOM: Region = { left: 290, top: 157, width: 100, height: 100 };

/** A solid red square PNG: the watermark asset. */
async function redSquare(): Promise<ArrayBuffer> {
  const png = await sharp({
    create: { width: 64, height: 64, channels: 4, background: '#ff0000' },
  }).png().toBuffer();
  return new Uint8Array(png).buffer;
}

function mark(overrides: Partial<WatermarkSpec>): WatermarkSpec {
  return {
    mark: { kind: 'image', assetId: LOGO },
    gravity: 'RIGHT_BOTTOM',
    margin: 10,
    size: 0.25,
    opacity: 1,
    tile: false,
    ...overrides,
  };
}

const text = (value: string, colour = { r: 0, g: 255, b: 0, alpha: 1 }) =>
  ({ kind: 'text', text: value, colour, font: 'Sans' }) as const;

/** One plain output and one per watermark, all 400 px wide. */
async function run(
  watermarks: Record<string, WatermarkSpec>,
  format: OutputFormat = 'PNG',
  pickSmallest = false,
): Promise<{ plain: ArrayBuffer; marked: Record<string, ArrayBuffer> }> {
  const more = pickSmallest ? { pickSmallest } : {};
  const outputs = [
    outputSpec('plain', format, { width: WIDTH, more }),
    ...Object.entries(watermarks).map(([id, watermark]) =>
      outputSpec(id, format, { width: WIDTH, more: { ...more, watermark } }),
    ),
  ];
  const task: ProcessTask = {
    ...makeTask(PHOTO, outputs),
    watermarks: { [LOGO]: await redSquare() },
  };
  const result = assertOk(await processImage(task));
  const marked = Object.fromEntries(
    Object.keys(watermarks).map((id) => [id, outputData(result, id)]),
  );
  return { plain: outputData(result, 'plain'), marked };
}

/** How many rows, from the first to the last, differ from the plain output. */
async function changedRows(data: ArrayBuffer, plain: ArrayBuffer): Promise<number> {
  const decode = (bytes: ArrayBuffer) =>
    sharp(new Uint8Array(bytes)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [a, b] = await Promise.all([decode(data), decode(plain)]);
  const rowBytes = a.info.width * 3;
  const rows: number[] = [];
  for (let row = 0; row < a.info.height; row += 1) {
    for (let at = row * rowBytes; at < (row + 1) * rowBytes; at += 1) {
      if (Math.abs((a.data[at] ?? 0) - (b.data[at] ?? 0)) > 40) {
        rows.push(row);
        break;
      }
    }
  }
  return rows.length === 0 ? 0 : Math.max(...rows) - Math.min(...rows) + 1;
}

/** Mean red, green and blue of one region of an encoded image. */
async function regionMeans(data: ArrayBuffer, region: Region): Promise<number[]> {
  const crop = await sharp(new Uint8Array(data)).extract(region).removeAlpha().png().toBuffer();
  const stats = await sharp(crop).stats();
  return stats.channels.slice(0, 3).map((channel) => channel.mean);
}

/** The largest per-channel difference of two regions' means. */
async function regionShift(a: ArrayBuffer, b: ArrayBuffer, region: Region): Promise<number> {
  const [left, right] = await Promise.all([regionMeans(a, region), regionMeans(b, region)]);
  return Math.max(...[0, 1, 2].map((c) => Math.abs((left[c] ?? 0) - (right[c] ?? 0))));
}

const QUADRANTS: Region[] = [
  { left: 0, top: 0, width: 200, height: 133 },
  { left: 200, top: 0, width: 200, height: 133 },
  { left: 0, top: 133, width: 200, height: 134 },
  { left: 200, top: 133, width: 200, height: 134 },
];

describe('watermark', () => {
  it('covers the corner its gravity names and leaves the rest of the image as it was', async () => {
    const { plain, marked } = await run({
      corner: mark({}),
      topLeft: mark({ gravity: 'LEFT_TOP' }),
    });
    const corner = marked.corner ?? new ArrayBuffer(0);
    const topLeft = marked.topLeft ?? new ArrayBuffer(0);

    // 0.25 × 400 = a 100-px red square, 10 px in from the right and bottom.
    const [r, g, b] = await regionMeans(corner, RIGHT_BOTTOM);
    expect(r).toBeGreaterThan(250);
    expect(g).toBeLessThan(5);
    expect(b).toBeLessThan(5);
    // Composited over an opaque photo, the output stays opaque RGB.
    expect((await sharp(new Uint8Array(corner)).metadata()).channels).toBe(3);
    expect(await regionShift(corner, plain, LEFT_TOP)).toBe(0);
    // The margin stays the photo's.
    const edge = { left: 390, top: 257, width: 10, height: 10 };
    expect(await regionShift(corner, plain, edge)).toBe(0);

    const [r2, g2] = await regionMeans(topLeft, LEFT_TOP);
    expect(r2).toBeGreaterThan(250);
    expect(g2).toBeLessThan(5);
    expect(await regionShift(topLeft, plain, RIGHT_BOTTOM)).toBe(0);
  });

  it('blends the mark by its opacity: half opacity lands halfway to the mark colour', async () => {
    const { plain, marked } = await run({
      half: mark({ opacity: 0.5 }),
      none: mark({ opacity: 0 }),
    });
    const [photoRed = 0, photoGreen = 0] = await regionMeans(plain, RIGHT_BOTTOM);
    const [red = 0, green = 0] = await regionMeans(marked.half ?? plain, RIGHT_BOTTOM);

    expect(red).toBeCloseTo((photoRed + 255) / 2, -0.5);
    expect(green).toBeCloseTo(photoGreen / 2, -0.5);
    expect(await regionShift(marked.none ?? new ArrayBuffer(0), plain, RIGHT_BOTTOM)).toBe(0);
  });

  it('tiles the mark over every quadrant of the output', async () => {
    const { plain, marked } = await run({ tiled: mark({ size: 0.05, margin: 20, tile: true }) });
    for (const quadrant of QUADRANTS) {
      const [before = 0] = await regionMeans(plain, quadrant);
      const [after = 0] = await regionMeans(marked.tiled ?? plain, quadrant);
      // 20-px squares every 40 px cover a quarter of each quadrant.
      expect(after - before).toBeGreaterThan(0.15 * (255 - before));
    }
  });

  it('draws text in its colour where its gravity puts it', async () => {
    const { plain, marked } = await run({
      green: mark({ mark: text('PixelFlow'), gravity: 'RIGHT_BOTTOM', size: 0.5 }),
    });
    const green = marked.green ?? plain;
    // A 190 × ~50 px line of text in the bottom-right corner.
    const under = { left: 200, top: 200, width: 190, height: 57 };
    const [r0 = 0, g0 = 0] = await regionMeans(plain, under);
    const [r1 = 0, g1 = 0] = await regionMeans(green, under);
    expect(g1 - g0).toBeGreaterThan(15);
    expect(r1).toBeLessThanOrEqual(r0);
    expect(await regionShift(green, plain, LEFT_TOP)).toBe(0);
  });

  it('draws text at its font size in output pixels, shrunk only to fit the output', async () => {
    const sized = (fontSize: number) =>
      mark({ mark: { ...text('PixelFlow'), fontSize }, gravity: 'LEFT_TOP', margin: 0 });
    const { plain, marked } = await run({
      small: sized(16),
      large: sized(48),
      huge: sized(512),
    });
    const small = await changedRows(marked.small ?? plain, plain);
    const large = await changedRows(marked.large ?? plain, plain);
    const huge = await changedRows(marked.huge ?? plain, plain);

    // Ink is a little less than the font size: "PixelFlow" has no descender but "p".
    expect(small).toBeGreaterThanOrEqual(8);
    expect(small).toBeLessThanOrEqual(24);
    expect(large).toBeGreaterThanOrEqual(2.5 * small);
    // 512 px text is ~2500 px wide: scaled to the 400-px output, not cut off.
    expect(huge).toBeGreaterThan(large);
    expect(huge).toBeLessThan(267);
  });

  it('treats user text as text, never as Pango markup', async () => {
    expect(escapeMarkup(`<b>"Tom" & 'Jerry'</b>`))
      .toBe('&lt;b&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/b&gt;');
    // Unescaped, this is invalid markup and libvips refuses it.
    const { plain, marked } = await run({ markup: mark({ mark: text('<span & <b>x') }) });
    expect(await regionShift(marked.markup ?? plain, plain, RIGHT_BOTTOM)).toBeGreaterThan(1);
  });

  it('marks the rendered image that AUTO and JPEG encode', async () => {
    for (const [format, auto] of [['AVIF', true], ['JPEG', false]] as const) {
      const { plain, marked } = await run({ logo: mark({}) }, format, auto);
      const [r = 0, g = 0] = await regionMeans(marked.logo ?? plain, RIGHT_BOTTOM);
      expect(r).toBeGreaterThan(200);
      expect(g).toBeLessThan(60);
      expect(await regionShift(marked.logo ?? plain, plain, LEFT_TOP)).toBeLessThan(3);
    }
  });

  it('leaves an output too small for a mark unmarked instead of failing', async () => {
    const outputs = [
      outputSpec('spaced', 'PNG', {
        width: 60,
        more: { watermark: mark({ size: 1, margin: 500, tile: true }) },
      }),
      outputSpec('placed', 'PNG', { width: 60, more: { watermark: mark({ margin: 500 }) } }),
      outputSpec('tiny', 'PNG', { width: 8, more: { watermark: mark({ mark: text('x') }) } }),
      outputSpec('logo', 'PNG', { width: 8, more: { watermark: mark({ size: 0.01 }) } }),
    ];
    const task = { ...makeTask(PHOTO, outputs), watermarks: { [LOGO]: await redSquare() } };
    expect(assertOk(await processImage(task)).outputs).toHaveLength(4);
  });

  it('keeps text inside the output when Pango lays it out larger than asked', async () => {
    // For a 2048 × 1365 box libvips returns "©" at 2224 × 2228.
    const outputs = [
      outputSpec('wide', 'JPEG', {
        width: 2048,
        enlarge: true,
        more: { watermark: mark({ mark: text('©'), size: 1, margin: 0 }) },
      }),
    ];
    const result = assertOk(await processImage(makeTask(PHOTO, outputs)));
    expect(result.outputs[0]).toMatchObject({ width: 2048, height: 1365 });
  });

  it('fits a short text on a large output without laying it out at full size', async () => {
    const big = outputSpec('big', 'JPEG', {
      width: 4000,
      enlarge: true,
      more: { watermark: mark({ mark: text('©'), size: 1, gravity: 'CENTRE' }) },
    });
    const result = assertOk(await processImage(makeTask(PHOTO, [big])));
    expect(result.outputs[0]?.width).toBe(4000);
  });

  it('fails the job with WATERMARK_INVALID naming the asset when its bytes are not an image',
    async () => {
      const outputs = [outputSpec('logo', 'PNG', { width: WIDTH, more: { watermark: mark({}) } })];
      const broken = (await redSquare()).slice(0, 40);
      const task = { ...makeTask(PHOTO, outputs), watermarks: { [LOGO]: broken } };
      const result = await processImage(task);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe('WATERMARK_INVALID');
      expect(result.message).toContain(LOGO);
    });

  it('fails the job with WATERMARK_INVALID when Pango draws nothing for the text', async () => {
    const invisible = mark({ mark: text('\u200b\u200b') });
    const outputs = [outputSpec('o', 'PNG', { width: WIDTH, more: { watermark: invisible } })];
    const result = await processImage(makeTask(PHOTO, outputs));
    expect(result).toMatchObject({ ok: false, code: 'WATERMARK_INVALID' });
  });

  it('refuses a watermark image over its pixel limit before decoding it', async () => {
    // 5000 × 4000 of one colour: a few kB of PNG, 20 MP once decoded.
    const huge = await sharp({
      create: { width: 5000, height: 4000, channels: 3, background: '#ff0000' },
    }).png({ compressionLevel: 9 }).toBuffer();
    const outputs = [outputSpec('logo', 'PNG', { width: WIDTH, more: { watermark: mark({}) } })];
    const watermarks = { [LOGO]: new Uint8Array(huge).buffer };
    const result = await processImage({ ...makeTask(PHOTO, outputs), watermarks });
    expect(result).toMatchObject({ ok: false, code: 'WATERMARK_INVALID' });
    expect(result.ok ? '' : result.message).toMatch(/watermark image logo: .*pixel limit/i);
  });
});
