import { describe, expect, it } from 'vitest';

import { validateCreateJob } from '../../src/schema/create-job-input.ts';
import { InvalidInputError } from '../../src/schema/errors.ts';
import type { OutputArgs } from '../../src/schema/output-input.ts';
import type { WatermarkArgs } from '../../src/schema/watermark-input.ts';

const LIMITS = { maxOutputs: 10, maxOutputPixels: 50_000_000 };
const ASSET = '0b8a89db-599a-4841-84fb-991b85d40cfd';

const output = (watermark: WatermarkArgs): OutputArgs => ({ id: 'o', format: 'PNG', watermark });

function issuesOf(watermark: WatermarkArgs) {
  try {
    validateCreateJob({ outputs: [output(watermark)] }, LIMITS);
  } catch (error: unknown) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidInputError');
}

const specOf = (watermark: WatermarkArgs) =>
  validateCreateJob({ outputs: [output(watermark)] }, LIMITS).outputs?.[0]?.watermark;

describe('watermark validation', () => {
  it('fills in the defaults and parses the colour of a text mark', () => {
    expect(specOf({ text: { text: '© Ada', colour: '#ff000080' } })).toEqual({
      mark: {
        kind: 'text',
        text: '© Ada',
        colour: { r: 255, g: 0, b: 0, alpha: 128 / 255 },
        font: 'Sans',
      },
      gravity: 'RIGHT_BOTTOM',
      margin: 10,
      size: 0.2,
      opacity: 0.5,
      tile: false,
    });
  });

  it('keeps an image mark by its asset id, in lower case', () => {
    const spec = specOf({ image: { assetId: ASSET.toUpperCase() }, tile: true, opacity: 1 });
    expect(spec?.mark).toEqual({ kind: 'image', assetId: ASSET });
    expect(spec?.tile).toBe(true);
  });

  it('leaves the watermark out of the spec when none is asked for', () => {
    const spec = validateCreateJob({ outputs: [{ id: 'o', format: 'PNG' }] }, LIMITS).outputs?.[0];
    expect(spec).not.toHaveProperty('watermark');
  });

  it('asks for exactly one of text and image', () => {
    for (const args of [{}, { text: { text: 'a' }, image: { assetId: ASSET } }]) {
      expect(issuesOf(args)).toEqual([
        expect.objectContaining({
          path: ['outputs', '0', 'watermark'],
          accepted: 'exactly one of text or image',
        }),
      ]);
    }
  });

  it('names the field, the accepted range and the value of each bad number', () => {
    const issues = issuesOf({ text: { text: 'a' }, size: 0, opacity: 1.5, margin: -1 });
    expect(issues).toEqual([
      { path: ['outputs', '0', 'watermark', 'margin'], message: 'out of range',
        accepted: '0..16383', received: '-1' },
      { path: ['outputs', '0', 'watermark', 'size'], message: 'out of range',
        accepted: '0.01..1', received: '0' },
      { path: ['outputs', '0', 'watermark', 'opacity'], message: 'out of range',
        accepted: '0..1', received: '1.5' },
    ]);
  });

  it('keeps a font size in range, and names one out of range', () => {
    expect(specOf({ text: { text: 'a', fontSize: 36 } })?.mark).toMatchObject({ fontSize: 36 });
    expect(issuesOf({ text: { text: 'a', fontSize: 3 } })).toEqual([
      { path: ['outputs', '0', 'watermark', 'text', 'fontSize'], message: 'out of range',
        accepted: '4..512', received: '3' },
    ]);
  });

  it('refuses empty, overlong and control-character text, odd fonts and bad colours', () => {
    const path = (field: string) => ['outputs', '0', 'watermark', 'text', field];
    for (const text of ['', '   ', 'x'.repeat(101), 'a\nb', 'a\u0000b']) {
      expect(issuesOf({ text: { text } }).map((issue) => issue.path)).toEqual([path('text')]);
    }
    for (const font of ['Sans 99999', 'Sans 20px', 'x'.repeat(65), 'Sans, Serif', '']) {
      expect(issuesOf({ text: { text: 'a', font } }).map((issue) => issue.path))
        .toEqual([path('font')]);
    }
    expect(specOf({ text: { text: 'a', font: 'DejaVu Serif' } })?.mark)
      .toMatchObject({ font: 'DejaVu Serif' });
    expect(issuesOf({ text: { text: 'a', font: 'Sans" size="9999' } })[0]?.path)
      .toEqual(path('font'));
    expect(issuesOf({ text: { text: 'a', colour: 'red' } })[0]).toMatchObject({
      path: path('colour'),
      received: '"red"',
    });
  });

  it('accepts markup characters in text: they are escaped when drawn', () => {
    expect(specOf({ text: { text: '<b>Tom & Jerry</b>' } })?.mark)
      .toMatchObject({ text: '<b>Tom & Jerry</b>' });
  });

  it('refuses an asset id that createWatermarkUpload cannot have made', () => {
    expect(issuesOf({ image: { assetId: '../sources/x' } })[0]).toMatchObject({
      path: ['outputs', '0', 'watermark', 'image', 'assetId'],
      received: '"../sources/x"',
    });
  });
});
