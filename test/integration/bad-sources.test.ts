import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { gql } from '../support/graphql-client.ts';
import { DEFAULT_OUTPUTS, createJob, startJob } from '../support/jobs.ts';
import { CORPUS, useTestApp } from '../support/test-app.ts';
import { DAMAGED_BUT_DECODABLE, EXPECTED_FAILURES } from '../pool/expected-failures.ts';

// Production limits (MAX_INPUT_PIXELS 100 MP, one job per thread); only the
// source folder is added, so each job reads its corpus file in place.
const setup = useTestApp({ LOCAL_SOURCE_DIR: fileURLToPath(CORPUS) });

const GOOD = 'kodak/kodim03.png';

/** Longest a bad source may take from PROCESSING to FAILED: no decode, just a header. */
const FAIL_FAST_MS = 1_000;

const READ_JOB = `query ($id: ID!) {
  job(id: $id) { status attempt startedAt finishedAt error { code } outputs { id } }
}`;

interface JobState {
  status: string;
  attempt: number;
  startedAt: string | null;
  finishedAt: string | null;
  error: { code: string } | null;
  outputs: { id: string }[];
}

interface Outcome {
  file: string;
  /** FAILED, SUCCEEDED, or REFUSED when startJob turned the source away. */
  status: string;
  code: string | null;
  attempt: number;
  processingMs: number;
}

async function waitForEnd(id: string): Promise<JobState> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { data } = await gql<{ job: JobState }>(setup.app.graphqlUrl, READ_JOB, { id });
    const job = data?.job;
    if (job && ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job?.status} after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One job for a corpus file, start to end, through the GraphQL API. */
async function runFile(file: string): Promise<Outcome> {
  const created = await createJob(setup.app.graphqlUrl, {
    outputs: DEFAULT_OUTPUTS,
    localSource: file,
  });
  const id = created.job.id;
  const started = await startJob(setup.app.graphqlUrl, id);
  if (started.__typename === 'SourceRejectedError') {
    const code = String(started.code);
    return { file, status: 'REFUSED', code, attempt: 0, processingMs: 0 };
  }

  const job = await waitForEnd(id);
  const processingMs = Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? '');
  const code = job.error?.code ?? null;
  return { file, status: job.status, code, attempt: job.attempt, processingMs };
}

describe('every bad source of the corpus through the API, on one replica', () => {
  it('fails each fast with its code, and the good job after it still succeeds', async () => {
    const bad = Object.keys(EXPECTED_FAILURES);
    const outcomes: Outcome[] = [];
    const good: Outcome[] = [];
    for (const file of [...bad, ...DAMAGED_BUT_DECODABLE]) {
      outcomes.push(await runFile(file));
      good.push(await runFile(GOOD));
    }

    // A bad source is refused by startJob (its first bytes are no accepted
    // format) or fails in the worker; either way with the code the pool gives.
    const failures = outcomes.filter(({ file }) => file in EXPECTED_FAILURES);
    expect(failures.map(({ file, code }) => ({ file, code }))).toEqual(
      bad.map((file) => ({ file, code: EXPECTED_FAILURES[file] })),
    );
    for (const outcome of failures) {
      expect(outcome).toMatchObject({ status: expect.stringMatching(/^(FAILED|REFUSED)$/) });
      // Failed on its first attempt, never retried as a crash or a timeout.
      expect(outcome.attempt).toBeLessThanOrEqual(1);
      expect({ file: outcome.file, fast: outcome.processingMs < FAIL_FAST_MS }).toEqual({
        file: outcome.file,
        fast: true,
      });
    }
    // The pixel-limit bombs get past startJob and fail in the worker.
    const bombs = failures.filter(({ code }) => code === 'PIXEL_LIMIT_EXCEEDED');
    expect(bombs.map(({ status }) => status)).toEqual(['FAILED', 'FAILED', 'FAILED']);

    const decodable = outcomes.filter(({ file }) => DAMAGED_BUT_DECODABLE.includes(file));
    expect(decodable.map(({ status }) => status)).toEqual(
      DAMAGED_BUT_DECODABLE.map(() => 'SUCCEEDED'),
    );
    expect(good.map(({ status, attempt }) => ({ status, attempt }))).toEqual(
      good.map(() => ({ status: 'SUCCEEDED', attempt: 1 })),
    );

    const health = await fetch(`${setup.app.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${setup.app.url}/readyz`);
    expect(ready.status).toBe(200);

    const slowest = Math.max(...failures.map(({ processingMs }) => processingMs));
    const refused = failures.filter(({ status }) => status === 'REFUSED').length;
    process.stdout.write(
      `[bad sources] ${failures.length} bad (${refused} refused by startJob), ` +
        `slowest failure ${slowest} ms, ${good.length} good jobs succeeded\n`,
    );
  }, 90_000);
});
