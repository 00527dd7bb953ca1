import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../src/config.ts';
import type { JobRow } from '../../src/infra/tables.ts';
import { buildWebhookPayload } from '../../src/webhooks/webhook-payload.ts';
import { DEVELOPMENT_WEBHOOK_SECRET, retryDelayMs } from '../../src/webhooks/webhook-sender.ts';

const FINISHED = new Date('2026-12-03T10:00:05.000Z');

function jobRow(overrides: Partial<JobRow>): JobRow {
  const created = new Date('2026-12-03T10:00:00.000Z');
  return {
    id: '9b2f6c1e-1111-4222-8333-444455556666',
    owner: 'alice',
    status: 'SUCCEEDED',
    attempt: 1,
    version: 4,
    outputs: [],
    webhookUrl: 'https://example.test/hooks',
    sourceKey: 'sources/9b2f6c1e',
    localSource: null,
    sourceBytes: 1000,
    sourceFormat: 'JPEG',
    placeholders: false,
    placeholder: null,
    preset: null,
    crashes: 0,
    nextAttemptAt: null,
    transitionReason: null,
    transitionReplica: null,
    errorCode: null,
    errorMessage: null,
    leaseExpiresAt: null,
    queuedAt: created,
    startedAt: created,
    finishedAt: FINISHED,
    traceContext: null,
    createdAt: created,
    updatedAt: FINISHED,
    ...overrides,
  };
}

const STORED = {
  outputId: 'thumb',
  format: 'WEBP',
  width: 150,
  height: 100,
  frames: 1,
  loopCount: null,
  durationMs: null,
  bytes: 4242,
  storageKey: 'outputs/9b2f6c1e/thumb.webp',
};
const USAGE = { pixelsProcessed: 393216, bytesIn: 1000, bytesOut: 4242, computeMs: 31 };

describe('the webhook payload', () => {
  it('describes a succeeded job with its outputs and usage, but no storage keys', () => {
    const payload = buildWebhookPayload(jobRow({}), { outputs: [STORED], usage: USAGE });
    expect(payload).toEqual({
      type: 'job.succeeded',
      timestamp: '2026-12-03T10:00:05.000Z',
      data: {
        jobId: '9b2f6c1e-1111-4222-8333-444455556666',
        status: 'SUCCEEDED',
        attempt: 1,
        error: null,
        outputs: [{ id: 'thumb', format: 'WEBP', width: 150, height: 100, bytes: 4242 }],
        usage: USAGE,
        finishedAt: '2026-12-03T10:00:05.000Z',
      },
    });
    expect(JSON.stringify(payload)).not.toContain('outputs/');
  });

  it('carries the error code and message of a failed job', () => {
    const failure = { errorCode: 'CORRUPT_IMAGE', errorMessage: 'bad' };
    const job = jobRow({ status: 'FAILED', attempt: 2, ...failure });
    expect(buildWebhookPayload(job)).toMatchObject({
      type: 'job.failed',
      data: { status: 'FAILED', attempt: 2, error: { code: 'CORRUPT_IMAGE', message: 'bad' } },
    });
  });

  it('sends a canceled job without error, outputs or usage, whatever it was given', () => {
    const job = jobRow({ status: 'CANCELED', errorMessage: 'transient: storage down' });
    const payload = buildWebhookPayload(job, { outputs: [STORED], usage: USAGE });
    expect(payload.type).toBe('job.canceled');
    expect(payload.data).toMatchObject({ error: null, outputs: [], usage: null });
  });

  it('refuses a job that has not finished', () => {
    expect(() => buildWebhookPayload(jobRow({ status: 'PROCESSING' }))).toThrow(/not finished/);
    expect(() => buildWebhookPayload(jobRow({ finishedAt: null }))).toThrow(/not finished/);
  });
});

describe('webhook retry delays', () => {
  it('double with each attempt around the base, within ±50 %', () => {
    expect(retryDelayMs(1, 5000, () => 0.5)).toBe(5000);
    expect(retryDelayMs(4, 5000, () => 0.5)).toBe(40_000);
    expect(retryDelayMs(3, 1000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, () => 0.999_999)).toBe(6000);
  });

  it('never wait longer than six hours', () => {
    expect(retryDelayMs(30, 3_600_000, () => 1)).toBe(6 * 3600 * 1000);
  });
});

describe('webhook configuration', () => {
  it('defaults to refusing private networks and to the development secret', () => {
    const config = loadConfig({});
    expect(config.WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(config.WEBHOOK_SECRET).toBeUndefined();
    expect(config.WEBHOOK_TIMEOUT_MS).toBe(10_000);
  });

  it('accepts a Standard Webhooks secret and refuses anything else', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(loadConfig({ WEBHOOK_SECRET: secret }).WEBHOOK_SECRET).toBe(secret);
    expect(() => loadConfig({ WEBHOOK_SECRET: DEVELOPMENT_WEBHOOK_SECRET })).not.toThrow();
    expect(() => loadConfig({ WEBHOOK_SECRET: 'hunter2' })).toThrow(/WEBHOOK_SECRET/);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'whsec_c2hvcnQ=' })).toThrow(/24 to 64 bytes/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe' })).toThrow(
      /WEBHOOK_ALLOW_PRIVATE_NETWORKS/,
    );
  });
});
