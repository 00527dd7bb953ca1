import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { collectSse } from '../support/graphql-client.ts';
import {
  FOLLOW_JOB,
  createJob,
  readCorpus,
  startJob,
  upload,
  type JobView,
} from '../support/jobs.ts';
import {
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';

let environment: TestEnvironment;
const started: TestApp[] = [];

beforeAll(async () => {
  environment = await createTestEnvironment();
});

afterAll(async () => {
  await Promise.all(started.map((app) => app.close()));
  await environment?.drop();
});

// Long leases: a job may only move to another replica by being handed back.
const start = async (overrides: Record<string, string>) => {
  const app = await startTestApp(environment, {
    LEASE_MS: '120000',
    LEASE_RENEW_MS: '1000',
    ...overrides,
  });
  started.push(app);
  return app;
};

/** Full-size AVIFs of a 3840×2160 photo: a job that takes a while. */
async function createSlowJob(url: string) {
  const created = await createJob(url, {
    outputs: [
      { id: 'a', format: 'AVIF', quality: 90 },
      { id: 'b', format: 'AVIF', quality: 95 },
    ],
  });
  await upload(created.upload, await readCorpus('sharp/gain-map.jpg'));
  return created.job.id;
}

/** Follows the job on `url`, calls `whileProcessing` once it runs, resolves with every event. */
async function followThrough(url: string, id: string, whileProcessing: () => void) {
  let startedJob: Promise<unknown> | null = null;
  let acted = false;
  const events = await collectSse<{ jobProgress: JobView }>(url, FOLLOW_JOB, { id }, 'alice', {
    timeoutMs: 60_000,
    onEvent: (event) => {
      startedJob ??= startJob(url, id);
      if (event.data?.jobProgress.status === 'PROCESSING' && !acted) {
        acted = true;
        whileProcessing();
      }
    },
  });
  await startedJob;
  return events.map((event) => event.data?.jobProgress as JobView);
}

describe('shutting a replica down', () => {
  it('lets a job in flight finish within the grace period', async () => {
    const a = await start({ SHUTDOWN_GRACE_MS: '60000' });
    const id = await createSlowJob(a.graphqlUrl);
    let closed: Promise<void> | null = null;

    // Closing A ends its streams, possibly before the last event reaches
    // this one; the outcome is read from another replica afterwards.
    await followThrough(a.graphqlUrl, id, () => {
      closed = a.close();
    }).catch(() => []);
    await closed;

    const b = await start({});
    const events = await collectSse<{ jobProgress: JobView }>(
      b.graphqlUrl,
      FOLLOW_JOB,
      { id },
      'alice',
    );
    expect(events.map((event) => event.data?.jobProgress)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', attempt: 1 }),
    ]);
  });

  it('hands an unfinished job back at once, for another replica to finish', async () => {
    const a = await start({ SHUTDOWN_GRACE_MS: '0' });
    const id = await createSlowJob(a.graphqlUrl);
    let b: TestApp | null = null;
    let closed: Promise<void> | null = null;

    const began = Date.now();
    // Closing A cuts this stream; the job is then followed on B. A closes
    // first: a B started first could take longer to start than the job takes
    // to finish on A.
    await followThrough(a.graphqlUrl, id, () => {
      closed = (async () => {
        await a.close();
        b = await start({});
      })();
    }).catch(() => []);
    await closed;
    const other = b as TestApp | null;
    if (!other) throw new Error('the second replica did not start');

    const events = await collectSse<{ jobProgress: JobView }>(
      other.graphqlUrl,
      FOLLOW_JOB,
      { id },
      'alice',
      { timeoutMs: 60_000 },
    );
    // Finished by B long before A's 120 s lease could have expired.
    expect(events.at(-1)?.data?.jobProgress).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    expect(Date.now() - began).toBeLessThan(60_000);
  });
});
