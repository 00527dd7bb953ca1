import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPostgres, type Postgres } from '../../src/infra/postgres.ts';
import { jobs } from '../../src/infra/tables.ts';
import { createJobStore, type JobStore } from '../../src/jobs/job-store.ts';
import { createJobTransitions, type JobTransitions } from '../../src/jobs/job-transitions.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/test-app.ts';

let environment: TestEnvironment;
let postgres: Postgres;
let store: JobStore;
let transitions: JobTransitions;

const LIMITS = { maxAttempts: 5, maxCrashes: 2 };
const USAGE = { pixelsProcessed: 1, bytesIn: 1, bytesOut: 1, computeMs: 1 };

beforeAll(async () => {
  environment = await createTestEnvironment();
  postgres = createPostgres({
    url: environment.databaseUrl,
    poolSize: 4,
    onConnectionError: () => {},
  });
  await postgres.migrate();
  store = createJobStore(postgres.db, 'replica-a');
  transitions = createJobTransitions(postgres.db, 'replica-b');
});

afterAll(async () => {
  await postgres?.close();
  await environment?.drop();
});

async function queuedJob() {
  const job = await store.create({
    owner: 'alice',
    outputs: [{ id: 'a', resize: null, format: 'PNG', quality: 80 }],
    webhookUrl: null,
    localSource: null,
  });
  await store.markQueued('alice', job.id, { bytes: 10, format: 'PNG' });
  return job.id;
}

async function expireLease(id: string) {
  await postgres.db
    .update(jobs)
    .set({ leaseExpiresAt: sql`now() - interval '1 second'` })
    .where(eq(jobs.id, id));
}

describe('job history', () => {
  it('records every transition with its attempt, replica and reason', async () => {
    const id = await queuedJob();
    const claim = await transitions.claim(id, 60_000, LIMITS);
    expect(claim.kind).toBe('claimed');
    await transitions.succeed(id, 1, [], USAGE);

    const events = await store.events(id);
    expect(events.map((e) => [e.fromStatus, e.toStatus, e.attempt, e.replica, e.reason])).toEqual([
      [null, 'CREATED', 0, 'replica-a', 'created'],
      ['CREATED', 'QUEUED', 0, 'replica-a', 'started'],
      ['QUEUED', 'PROCESSING', 1, 'replica-b', 'leased'],
      ['PROCESSING', 'SUCCEEDED', 1, 'replica-b', 'processed'],
    ]);
  });

  it('makes a second terminal transition impossible, even written by hand', async () => {
    const id = await queuedJob();
    await transitions.claim(id, 60_000, LIMITS);
    await transitions.succeed(id, 1, [], USAGE);

    const rewrite = postgres.db.update(jobs).set({ status: 'FAILED' }).where(eq(jobs.id, id));
    await expect(rewrite).rejects.toThrow();
    const [row] = await postgres.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row?.status).toBe('SUCCEEDED');
  });

  it('refuses the late write of an attempt that lost its lease', async () => {
    const id = await queuedJob();
    await transitions.claim(id, 60_000, LIMITS);
    await expireLease(id);
    const second = await transitions.claim(id, 60_000, LIMITS);
    expect(second).toMatchObject({ kind: 'claimed', job: { attempt: 2, crashes: 1 } });

    expect(await transitions.succeed(id, 1, [], USAGE)).toBeNull();
    expect(await transitions.fail(id, 1, 'CORRUPT_IMAGE', 'late')).toBeNull();
    expect(await transitions.succeed(id, 2, [], USAGE)).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('fails a job whose processing died more often than allowed, with a crash code', async () => {
    const id = await queuedJob();
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      expect((await transitions.claim(id, 60_000, LIMITS)).kind).toBe('claimed');
      await expireLease(id);
    }
    const last = await transitions.claim(id, 60_000, LIMITS);
    expect(last).toMatchObject({
      kind: 'exhausted',
      job: { status: 'FAILED', errorCode: 'WORKER_CRASHED', crashes: 3 },
    });
  });

  it('counts the crash that fails a job along with the ones before it', async () => {
    const id = await queuedJob();
    await transitions.claim(id, 60_000, LIMITS);
    await transitions.retry(id, 1, { message: 'worker exited', delayMs: 0, crashed: true });
    await transitions.claim(id, 60_000, LIMITS);
    const failed = await transitions.fail(id, 2, 'WORKER_CRASHED', 'crashed twice', {
      crashed: true,
    });
    expect(failed).toMatchObject({ status: 'FAILED', errorCode: 'WORKER_CRASHED', crashes: 2 });
  });

  it('does not fail a job when a claim races the end of its lease', async () => {
    const id = await queuedJob();
    await transitions.claim(id, 60_000, LIMITS);
    await expireLease(id);

    // A late renewal holds the row while the claim waits for it: the claim's
    // UPDATE then finds the lease renewed, and the moment after, run out.
    const renewal = new pg.Client({ connectionString: environment.databaseUrl });
    await renewal.connect();
    await renewal.query('begin');
    await renewal.query(
      `update jobs set lease_expires_at = clock_timestamp() + interval '300 milliseconds'
       where id = $1`,
      [id],
    );
    const claiming = transitions.claim(id, 60_000, LIMITS);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await renewal.query('commit');
    await renewal.end();

    expect(await claiming).toMatchObject({ kind: 'lease-live' });
    expect(await transitions.claim(id, 60_000, LIMITS)).toMatchObject({
      kind: 'claimed',
      job: { attempt: 2, crashes: 1 },
    });
  });

  it('shows when a job waiting to retry runs again', async () => {
    const id = await queuedJob();
    await transitions.claim(id, 60_000, LIMITS);
    const retried = await transitions.retry(id, 1, {
      message: 'storage unreachable',
      delayMs: 30_000,
      crashed: false,
    });
    expect(retried?.status).toBe('QUEUED');
    const wait = (retried?.nextAttemptAt?.getTime() ?? 0) - Date.now();
    expect(wait).toBeGreaterThan(25_000);
    expect(wait).toBeLessThan(35_000);
  });
});
