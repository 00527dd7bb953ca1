import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { collectSse } from '../support/graphql-client.ts';
import { FOLLOW_JOB, createUploadedJob, type JobView } from '../support/jobs.ts';
import { useTestApp } from '../support/test-app.ts';

const setup = useTestApp({ RECONCILE_MS: '200' });

async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: setup.environment.databaseUrl });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('the reconciler', () => {
  it('dispatches a job that was queued in Postgres but never reached Redis', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim03.png');
    const following = collectSse<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id: job.id },
      'alice',
    );

    // What startJob leaves behind when the process dies between its commit
    // and the push to Redis: QUEUED in Postgres, unknown to the queue.
    await sql(
      `update jobs set status = 'QUEUED', source_bytes = 480296, source_format = 'PNG',
         queued_at = now(), updated_at = now() - interval '1 minute', version = version + 1
       where id = $1`,
      [job.id],
    );

    const events = await following;
    expect(events.at(-1)?.data?.jobProgress).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
  });

  it('re-runs a job whose worker vanished with its lease, under a new attempt', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim23.png');
    const following = collectSse<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id: job.id },
      'alice',
    );

    // A replica claimed it (attempt 1) and died; Redis forgot the lease too.
    await sql(
      `update jobs set status = 'PROCESSING', attempt = 1, source_bytes = 548799,
         source_format = 'PNG', lease_expires_at = now() - interval '1 minute',
         version = version + 1
       where id = $1`,
      [job.id],
    );

    const events = await following;
    expect(events.at(-1)?.data?.jobProgress).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
  });
});
