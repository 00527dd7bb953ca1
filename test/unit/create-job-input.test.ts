import { describe, expect, it } from 'vitest';

import { validateCreateJob } from '../../src/schema/create-job-input.ts';
import { InvalidInputError } from '../../src/schema/errors.ts';

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
