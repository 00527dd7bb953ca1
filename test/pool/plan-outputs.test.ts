import { describe, expect, it } from 'vitest';

import { planIntermediate, planOutput } from '../../src/pool/plan-outputs.ts';
import { outputSpec } from './corpus.ts';

const PHOTO = { width: 1800, height: 1200 };

function intermediateFor(...specs: ReturnType<typeof outputSpec>[]) {
  return planIntermediate(PHOTO, specs.map((spec) => planOutput(PHOTO, spec)));
}

describe('planIntermediate', () => {
  it('decodes at the size of the largest output', () => {
    const thumb = outputSpec('thumb', 'WEBP', { width: 150 });
    const large = outputSpec('large', 'JPEG', { width: 720 });

    expect(intermediateFor(thumb, large)).toEqual({ width: 720, height: 480 });
  });

  it('decodes at full size when an output keeps the source size', () => {
    const thumb = outputSpec('thumb', 'WEBP', { width: 150 });
    const original = outputSpec('original', 'PNG');

    expect(intermediateFor(thumb, original)).toEqual(PHOTO);
  });

  it('decodes at full size, never larger, when an output is enlarged', () => {
    const poster = outputSpec('poster', 'JPEG', { width: 4000, enlarge: true });

    expect(intermediateFor(poster)).toEqual(PHOTO);
  });

  it('keeps enough of the more demanding side of a stretched output', () => {
    const strip = outputSpec('strip', 'JPEG', { width: 100, height: 600, fit: 'FILL' });

    expect(intermediateFor(strip)).toEqual({ width: 900, height: 600 });
  });

  it('keeps the cover crop sharp by decoding for its scaled size, not its box', () => {
    const square = outputSpec('square', 'JPEG', { width: 300, height: 300, fit: 'COVER' });

    expect(planOutput(PHOTO, square)).toMatchObject({
      scaled: { width: 450, height: 300 },
      canvas: 'crop',
      final: { width: 300, height: 300 },
    });
    expect(intermediateFor(square)).toEqual({ width: 450, height: 300 });
  });

  it('decodes for what a crop needs: its region scaled, not the whole source', () => {
    const none = { trim: null, rotate: null, flip: false, flop: false };
    const crop = { left: 600, top: 300, width: 600, height: 400 };
    const detail = outputSpec('detail', 'JPEG', {
      width: 300,
      more: { geometry: { ...none, crop } },
    });

    expect(planOutput(PHOTO, detail)).toMatchObject({ scaled: { width: 300, height: 200 } });
    // 300 px from a 600-px region needs the source at half size, not at 300/1800.
    expect(intermediateFor(detail)).toEqual({ width: 900, height: 600 });
  });

  it('decodes at full size for an output that trims', () => {
    const none = { crop: null, rotate: null, flip: false, flop: false };
    const trimmed = outputSpec('t', 'PNG', {
      width: 100,
      more: { geometry: { ...none, trim: { threshold: 10 } } },
    });

    expect(intermediateFor(trimmed)).toEqual(PHOTO);
  });

  it('plans a free rotation from the bounding box of the turned image', () => {
    const none = { crop: null, trim: null, flip: false, flop: false };
    const rotate = { angle: 90, background: { r: 0, g: 0, b: 0, alpha: 0 } };
    const turned = outputSpec('r', 'PNG', { width: 600, more: { geometry: { ...none, rotate } } });

    expect(planOutput(PHOTO, turned)).toMatchObject({ final: { width: 600, height: 900 } });
    // The decode is of the unturned source: half of it, turned, is 600 wide.
    expect(intermediateFor(turned)).toEqual({ width: 900, height: 600 });
  });
});
