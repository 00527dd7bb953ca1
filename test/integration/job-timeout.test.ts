import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { createJob, followAndStart, type JobView } from '../support/jobs.ts';
import { CORPUS, useTestApp } from '../support/test-app.ts';

const TIMEOUT_MS = 1_000;

const setup = useTestApp({
  LOCAL_SOURCE_DIR: fileURLToPath(CORPUS),
  JOB_TIMEOUT_MS: String(TIMEOUT_MS),
});

/** Creates a job on a corpus file, follows it to its end and returns its last state. */
async function runToEnd(file: string, outputs: object[]): Promise<JobView> {
  const { job } = await createJob(setup.app.graphqlUrl, { outputs, localSource: file });
  const events = await followAndStart(setup.app.graphqlUrl, job.id);
  const last = events.at(-1);
  if (last === undefined) throw new Error(`no events for job ${job.id}`);
  return last;
}

describe('JOB_TIMEOUT_MS', () => {
  it('fails a job over the limit with TIMEOUT, and the replica goes on working', async () => {
    // Full-size AVIF encodes of a 12 MP photo: several seconds each on this machine.
    const slow = [0, 1, 2].map((i) => ({ id: `avif${i}`, format: 'AVIF', quality: 50 + i }));
    const began = Date.now();
    const timedOut = await runToEnd('sharp/gain-map.jpg', slow);
    const tookMs = Date.now() - began;

    expect(timedOut).toMatchObject({
      status: 'FAILED',
      attempt: 1,
      error: { code: 'TIMEOUT', message: expect.stringContaining(`${TIMEOUT_MS} ms`) },
      outputs: [],
    });
    // Stopped at the limit, not left to finish its encodes.
    expect(tookMs).toBeLessThan(TIMEOUT_MS + 4_000);

    // The worker thread that was ended is replaced: the next jobs run normally.
    for (let i = 0; i < 3; i += 1) {
      const next = await runToEnd('kodak/kodim03.png', [
        { id: 'small', resize: { width: 200 }, format: 'JPEG' },
      ]);
      expect(next).toMatchObject({ status: 'SUCCEEDED', outputs: [{ width: 200 }] });
    }
    const health = await fetch(`${setup.app.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
  }, 60_000);
});
