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
});
