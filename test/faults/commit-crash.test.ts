import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sized } from './support/fault-mode.ts';
import {
  FAST_TIMING, SCHEDULING_SLACK_MS, createFaultStack, type FaultStack,
} from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import { auditJobs, eventsOf, summarize, waitForAllTerminal } from './support/job-audit.ts';
import { postGraphQL, tinySpecs } from './support/job-traffic.ts';
import { findLogLines } from './support/replica-logs.ts';
import type { ReplicaProcess } from './support/replica-process.ts';

const CRASHES = sized(3, 10);
// Overdue after one reconcile interval, found by the next pass, leased at
// the next poll, with what a busy machine adds to timers.
const BOUND_MS =
  2 * FAST_TIMING.RECONCILE_MS + FAST_TIMING.DISPATCH_POLL_MS + SCHEDULING_SLACK_MS;

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

const CREATE_JOB = `mutation ($input: CreateJobInput!) { createJob(input: $input) {
  ... on CreateJobPayload { job { id } upload { url } } } }`;
const START_JOB = `mutation ($id: ID!) { startJob(id: $id) { __typename } }`;

describe('a crash between the commit of startJob and its push to Redis', () => {
  it('leaves the job queued in Postgres, and the reconciler dispatches it', async () => {
    const began = Date.now();
    const [spec] = await tinySpecs();
    if (!spec) throw new Error('no tiny images');
    const healthy = await stack.startReplica('healthy');
    const ids: string[] = [];
    const delays: number[] = [];

    for (let round = 0; round < CRASHES; round += 1) {
      const faulty = await stack.startReplica('faulty', {
        FAULT_INJECTION: 'exit-after-queue-commit',
      });
      const id = await createUploaded(healthy, spec.source, spec.outputs);
      ids.push(id);

      const answer = await postGraphQL(faulty.graphqlUrl, START_JOB, { id }).catch(() => null);
      await faulty.exited;
      const crashedAt = faulty.exitedAt() ?? Date.now();
      expect(answer).toBeNull();

      await waitForAllTerminal(stack.db, [id], 20_000);
      const events = await eventsOf(stack.db, [id]);
      const queued = events.find((event) => event.to === 'QUEUED');
      const claim = events.find((event) => event.to === 'PROCESSING');
      expect(queued?.replica).toBe(faulty.replicaId);
      expect(claim).toMatchObject({ replica: healthy.replicaId, attempt: 1 });
      delays.push((claim?.at ?? Infinity) - crashedAt);
    }

    const audits = await auditJobs(stack.db, ids);
    const summary = summarize(audits);
    const restored = await findLogLines([healthy], (line) =>
      line.msg === 'jobs restored to the queue');
    const restoredIds = new Set(restored.flatMap((line) => line.jobIds as string[]));
    const maxDelay = Math.max(...delays);

    printFigures('crash between commit and Redis push', {
      crashes: CRASHES,
      lost: summary.lost.length,
      'restored-by-reconciler': ids.filter((id) => restoredIds.has(id)).length,
      'max-crash-to-claim': seconds(maxDelay),
      bound: seconds(BOUND_MS),
      'duplicate-terminals': summary.duplicateTerminals,
      took: seconds(Date.now() - began),
    });

    expect(summary.lost).toEqual([]);
    expect(summary.byStatus).toEqual({ SUCCEEDED: CRASHES });
    expect(summary.duplicateTerminals).toBe(0);
    expect(ids.every((id) => restoredIds.has(id))).toBe(true);
    expect(maxDelay).toBeLessThan(BOUND_MS);
  }, sized(120_000, 300_000));
});

async function createUploaded(
  replica: ReplicaProcess,
  source: Uint8Array,
  outputs: Record<string, unknown>[],
): Promise<string> {
  const answer = await postGraphQL(replica.graphqlUrl, CREATE_JOB, { input: { outputs } });
  const created = answer.body?.data?.createJob as
    { job: { id: string }; upload: { url: string } } | undefined;
  if (!created) throw new Error(`createJob failed: ${JSON.stringify(answer.body)}`);
  const body = new Blob([new Uint8Array(source)]);
  const put = await fetch(created.upload.url, { method: 'PUT', body });
  expect(put.ok).toBe(true);
  return created.job.id;
}
