import { describe, expect, it } from 'vitest';

import type { OutputSpec } from '../../src/pool/task.ts';
import {
  checkPresetWithinLimits,
  validateCreateJob,
} from '../../src/schema/create-job-input.ts';
import { InvalidInputError } from '../../src/schema/errors.ts';
import { validateSavePreset } from '../../src/schema/save-preset-input.ts';

const LIMITS = { maxOutputs: 10, maxOutputPixels: 50_000_000 };

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  throw new Error('expected InvalidInputError');
};

describe('createJob validation', () => {
  it('fills in defaults: INSIDE, no enlargement, quality 80', () => {
    const request = validateCreateJob(
      { outputs: [{ id: 'thumb', resize: { width: 150 }, format: 'WEBP' }] },
      LIMITS,
    );
    expect(request.outputs).toEqual([
      {
        id: 'thumb',
        format: 'WEBP',
        quality: 80,
        resize: { width: 150, height: null, fit: 'INSIDE', enlarge: false },
      },
    ]);
  });

  it('limits the number of outputs per job', () => {
    const outputs = Array.from({ length: 4 }, (_, i) => ({ id: `o${i}`, format: 'PNG' as const }));
    expect(issuesOf(() => validateCreateJob({ outputs }, { ...LIMITS, maxOutputs: 3 }))).toEqual([
      {
        path: ['outputs'],
        message: 'wrong number of outputs',
        accepted: '1..3 outputs',
        received: '4',
      },
    ]);
  });

  it('refuses a dimension past the WEBP limit', () => {
    const issues = issuesOf(() =>
      validateCreateJob(
        { outputs: [{ id: 'x', resize: { height: 16384 }, format: 'WEBP' }] },
        LIMITS,
      ),
    );
    expect(issues[0]).toMatchObject({
      path: ['outputs', '0', 'resize', 'height'],
      accepted: '1..16383',
    });
  });

  it('refuses an output box larger than the output pixel limit', () => {
    const issues = issuesOf(() =>
      validateCreateJob(
        {
          outputs: [
            { id: 'x', resize: { width: 16383, height: 16383, fit: 'FILL' }, format: 'PNG' },
          ],
        },
        LIMITS,
      ),
    );
    expect(issues[0]).toMatchObject({
      path: ['outputs', '0', 'resize'],
      message: 'output too large',
    });
  });

  it('refuses control characters and normalises the webhook URL', () => {
    const issues = issuesOf(() =>
      validateCreateJob(
        { outputs: [{ id: 'x', format: 'PNG' }], webhookUrl: 'http://x/\u0000' },
        LIMITS,
      ),
    );
    expect(issues[0]?.path).toEqual(['webhookUrl']);
    const ok = validateCreateJob(
      { outputs: [{ id: 'x', format: 'PNG' }], webhookUrl: 'HTTPS://Example.test/a b' },
      LIMITS,
    );
    expect(ok.webhookUrl).toBe('https://example.test/a%20b');
  });
});

describe('createJob validation with presets', () => {
  it('takes a preset ref instead of outputs', () => {
    const request = validateCreateJob({ preset: 'thumbs@2' }, LIMITS);
    expect(request).toMatchObject({ outputs: null, preset: { name: 'thumbs', version: 2 } });
    expect(validateCreateJob({ preset: 'thumbs' }, LIMITS).preset).toEqual({
      name: 'thumbs',
      version: null,
    });
  });

  it('leaves placeholders unset when not given, for the preset to decide', () => {
    expect(validateCreateJob({ preset: 'thumbs' }, LIMITS).placeholders).toBeNull();
    expect(validateCreateJob({ preset: 'thumbs', placeholders: false }, LIMITS).placeholders)
      .toBe(false);
  });

  it('refuses both outputs and a preset, or neither', () => {
    const outputs = [{ id: 'x', format: 'PNG' as const }];
    expect(issuesOf(() => validateCreateJob({ outputs, preset: 'thumbs' }, LIMITS))).toEqual([
      {
        path: ['preset'],
        message: 'give outputs or a preset, not both',
        accepted: 'exactly one of outputs and preset',
        received: '"thumbs"',
      },
    ]);
    expect(issuesOf(() => validateCreateJob({ outputs: null, preset: null }, LIMITS))).toEqual([
      {
        path: ['outputs'],
        message: 'give outputs or a preset',
        accepted: 'exactly one of outputs and preset',
        received: 'null',
      },
    ]);
  });

  it('refuses a malformed ref, with the forms it accepts', () => {
    expect(issuesOf(() => validateCreateJob({ preset: 'thumbs@v2' }, LIMITS))).toEqual([
      {
        path: ['preset'],
        message: 'not a preset reference',
        accepted: '"name@version" (e.g. "thumbs@2"), or "name" for the latest',
        received: '"thumbs@v2"',
      },
    ]);
  });
});

describe('a saved preset at createJob', () => {
  const spec = (id: string, width: number, height: number): OutputSpec => ({
    id,
    format: 'PNG',
    quality: 80,
    resize: { width, height, fit: 'FILL', enlarge: false },
  });

  it('passes within the limits of today', () => {
    expect(() => checkPresetWithinLimits([spec('a', 100, 100)], LIMITS)).not.toThrow();
  });

  it('is refused once the limits have shrunk below it', () => {
    const limits = { maxOutputs: 1, maxOutputPixels: 5000 };
    expect(
      issuesOf(() => checkPresetWithinLimits([spec('a', 10, 10), spec('b', 100, 100)], limits)),
    ).toEqual([
      {
        path: ['preset'],
        message: 'the preset has more outputs than a job may have now',
        accepted: 'at most 1 outputs',
        received: '2',
      },
      {
        path: ['preset'],
        message: 'the preset has an output larger than a job may have now',
        accepted: 'width × height of at most 5000 pixels',
        received: '"b"',
      },
    ]);
  });
});

describe('savePreset validation', () => {
  it('stores outputs exactly as createJob would', () => {
    const outputs = [
      { id: 'thumb', resize: { width: 150, fit: 'COVER' as const }, format: 'AUTO' as const },
    ];
    const preset = validateSavePreset({ name: 'thumbs', outputs }, LIMITS);
    expect(preset).toEqual({
      name: 'thumbs',
      outputs: validateCreateJob({ outputs }, LIMITS).outputs,
      placeholders: false,
    });
  });

  it('names a bad name and bad outputs together', () => {
    const issues = issuesOf(() =>
      validateSavePreset({ name: 'a'.repeat(65), outputs: [{ id: '', format: 'PNG' }] }, LIMITS),
    );
    expect(issues.map((issue) => issue.path)).toEqual([['name'], ['outputs', '0', 'id']]);
  });
});
