import { describe, expect, it } from 'vitest';

import { validateCreateJob } from '../../src/schema/create-job-input.ts';
import { InvalidInputError } from '../../src/schema/errors.ts';
import type { OutputArgs } from '../../src/schema/output-input.ts';
import { parseColour } from '../../src/schema/validate-output-options.ts';

const LIMITS = { maxOutputs: 10, maxOutputPixels: 50_000_000 };

type Output = OutputArgs;

function issuesOf(output: Output) {
  try {
    validateCreateJob({ outputs: [output] }, LIMITS);
  } catch (error: unknown) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidInputError');
}

const specOf = (output: Output) => validateCreateJob({ outputs: [output] }, LIMITS).outputs?.[0];

describe('output option validation', () => {
  it('names a value JSON cannot spell, such as an overflowing float', () => {
    const [issue] = issuesOf({ id: 'o', format: 'PNG', adjust: { blur: Infinity } });
    expect(issue).toMatchObject({ path: ['outputs', '0', 'adjust', 'blur'], received: 'Infinity' });
  });

  it('refuses EXIF and copyright for GIF and TIFF outputs, which carry no EXIF', () => {
    const keepMetadata = { exif: true, copyright: true };
    expect(issuesOf({ id: 'o', format: 'GIF', keepMetadata })).toEqual([
      expect.objectContaining({ path: ['outputs', '0', 'keepMetadata', 'exif'] }),
      expect.objectContaining({ path: ['outputs', '0', 'keepMetadata', 'copyright'] }),
    ]);
    expect(issuesOf({ id: 'o', format: 'TIFF', keepMetadata: { exif: true } })).toHaveLength(1);
    expect(specOf({ id: 'o', format: 'WEBP', keepMetadata })?.keepMetadata).toMatchObject(
      keepMetadata,
    );
  });

  it('keeps only the groups asked for, with their defaults filled in', () => {
    const spec = specOf({
      id: 'o',
      format: 'AUTO',
      resize: { width: 300, height: 300, fit: 'COVER', gravity: 'ATTENTION' },
      geometry: { rotate: { angle: 45 }, flop: true },
      adjust: { modulate: { saturation: 0 } },
      webp: { lossless: true },
    });

    expect(spec).toEqual({
      id: 'o',
      format: 'AVIF',
      pickSmallest: true,
      quality: 80,
      resize: { width: 300, height: 300, fit: 'COVER', enlarge: false, gravity: 'ATTENTION' },
      geometry: {
        crop: null,
        trim: null,
        rotate: { angle: 45, background: { r: 0, g: 0, b: 0, alpha: 0 } },
        flip: false,
        flop: true,
      },
      adjust: {
        blur: null,
        sharpen: null,
        grayscale: false,
        modulate: { brightness: 1, saturation: 0, hue: 0 },
        tint: null,
        gamma: null,
        normalise: false,
      },
      encoding: {
        jpeg: { progressive: false, chromaSubsampling: '4:2:0' },
        png: { compressionLevel: 6, palette: false },
        webp: { lossless: true, effort: 4 },
        avif: { lossless: false, effort: 2 },
      },
    });
  });

  it('takes GIF and TIFF settings and the gain map, each only where it applies', () => {
    expect(specOf({ id: 'g', format: 'GIF', gif: { colours: 64 } })?.encoding?.gif).toEqual({
      colours: 64,
      dither: 1,
      effort: 1,
    });
    expect(specOf({ id: 't', format: 'TIFF', tiff: { compression: 'DEFLATE' } })?.encoding)
      .toMatchObject({ tiff: { compression: 'DEFLATE' } });
    expect(specOf({ id: 'h', format: 'JPEG', keepMetadata: { gainMap: true } })?.keepMetadata)
      .toEqual({ icc: false, exif: false, copyright: false, gainMap: true });
    expect(specOf({ id: 'n', format: 'JPEG', keepMetadata: { gainMap: false } })?.keepMetadata)
      .toBeUndefined();

    const issues = issuesOf({
      id: 'o',
      format: 'PNG',
      gif: { colours: 300, dither: 2, effort: 0 },
      tiff: { compression: 'LZW' },
    });
    expect(issues.map(({ path, accepted, received }) => [path.join('.'), accepted, received]))
      .toEqual([
        ['outputs.0.gif', 'only options for PNG', '{"colours":300,"dither":2,"effort":0}'],
        ['outputs.0.tiff', 'only options for PNG', '{"compression":"LZW"}'],
      ]);
    const ranges = issuesOf({ id: 'o', format: 'GIF', gif: { colours: 1, dither: 2, effort: 11 } });
    expect(ranges.map(({ path, accepted }) => [path.join('.'), accepted])).toEqual([
      ['outputs.0.gif.colours', '2..256'],
      ['outputs.0.gif.dither', '0..1'],
      ['outputs.0.gif.effort', '1..10'],
    ]);
  });

  it('names the path, the range and the value of every bad option', () => {
    const issues = issuesOf({
      id: 'o',
      format: 'JPEG',
      resize: { width: 100, fit: 'INSIDE', gravity: 'ENTROPY', background: '#fff' },
      geometry: { crop: { left: -1, top: 0, width: 0, height: 10 }, rotate: { angle: 400 } },
      adjust: { blur: 0.1, gamma: 5, tint: 'red', modulate: { hue: 720 } },
      png: { compressionLevel: 3 },
      jpeg: { progressive: true },
    });

    expect(issues.map(({ path, accepted, received }) => [path.join('.'), accepted, received]))
      .toEqual([
        ['outputs.0.resize.gravity', 'fit COVER with both width and height', '"ENTROPY"'],
        ['outputs.0.resize.background', 'fit CONTAIN', '"#fff"'],
        ['outputs.0.resize.background', '"#rrggbb" or "#rrggbbaa" (hex)', '"#fff"'],
        ['outputs.0.geometry.crop.left', '0..9999999', '-1'],
        ['outputs.0.geometry.crop.width', '1..10000000', '0'],
        ['outputs.0.geometry.rotate.angle', '-360..360', '400'],
        ['outputs.0.adjust.blur', '0.3..1000', '0.1'],
        ['outputs.0.adjust.modulate.hue', '-360..360', '720'],
        ['outputs.0.adjust.tint', '"#rrggbb" or "#rrggbbaa" (hex)', '"red"'],
        ['outputs.0.adjust.gamma', '1..3', '5'],
        ['outputs.0.png', 'only options for JPEG', '{"compressionLevel":3}'],
      ]);
  });

  it('refuses position and gravity together', () => {
    const resize = { width: 10, height: 10, fit: 'COVER', position: 'TOP', gravity: 'ATTENTION' };
    const issues = issuesOf({ id: 'o', format: 'PNG', resize } as Output);

    expect(issues).toEqual([
      {
        path: ['outputs', '0', 'resize', 'position'],
        message: 'give position or gravity, not both',
        accepted: 'CENTRE (the default) when gravity is set',
        received: '"TOP"',
      },
    ]);
  });

  it('parses six- and eight-digit hex colours', () => {
    expect(parseColour('#FF8000')).toEqual({ r: 255, g: 128, b: 0, alpha: 1 });
    expect(parseColour('#00000000')).toEqual({ r: 0, g: 0, b: 0, alpha: 0 });
    expect(parseColour('ff8000')).toBeNull();
  });
});
