import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sized } from './support/fault-mode.ts';
import { createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import {
  auditJobs, countByStatus, summarize, waitForAllTerminal,
} from './support/job-audit.ts';
import { slowSpec, submitJob, tinySpecs, type JobSpec } from './support/job-traffic.ts';
import { findLogLines } from './support/replica-logs.ts';
import { waitUntil } from './support/wait.ts';

const PROCESSING = 10;
const QUEUED = sized(200, 500);
// Two replicas of five threads: ten jobs processing at once. Ten AVIF jobs
// share two cores, so the time limit is raised: this is not what is tested.
const ENV = { POOL_THREADS: PROCESSING / 2, JOB_TIMEOUT_MS: 600_000 };

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

describe('Redis restarted empty with jobs queued and processing', () => {
  it('ends every job terminal, without re-running those in flight', async () => {
    const began = Date.now();
    const replicas = [await stack.startReplica('a', ENV), await stack.startReplica('b', ENV)];
    const targets = () => replicas.map((replica) => replica.graphqlUrl);

    // Long enough to be still processing when the last of the queued jobs is
    // submitted, even on a busy machine.
    const slow = await slowSpec(3);
    const long = await submitAll(targets, Array.from({ length: PROCESSING }, () => slow));
    await waitUntil(async () => (await countByStatus(stack.db)).PROCESSING === PROCESSING, {
      what: `${PROCESSING} jobs processing`,
      timeoutMs: 30_000,
    });
    const tiny = await tinySpecs();
    const queued = await submitAll(
      targets,
      Array.from({ length: QUEUED }, (_, i) => tiny[i % tiny.length] as JobSpec),
    );

    const atRestart = await countByStatus(stack.db);
    const restartedAt = Date.now();
    await stack.redis.restartEmpty();
    const ids = [...long, ...queued];
    await waitForAllTerminal(stack.db, ids, sized(120_000, 240_000));
    const recoveredMs = Date.now() - restartedAt;

    const audits = await auditJobs(stack.db, ids);
    const summary = summarize(audits);
    const restored = await findLogLines(replicas, (line) =>
      line.msg === 'jobs restored to the queue');
    const rerun = audits.filter((job) => job.claims > 1).length;

    printFigures('Redis restarted empty', {
      'queued-at-restart': atRestart.QUEUED ?? 0,
      'processing-at-restart': atRestart.PROCESSING ?? 0,
      jobs: ids.length,
      terminal: ids.length - summary.lost.length,
      lost: summary.lost.length,
      'duplicate-terminals': summary.duplicateTerminals,
      'restored-by-reconciler': restored.reduce((sum, line) => sum + Number(line.restored), 0),
      're-executed': rerun,
      'counted-as-crash': audits.filter((job) => job.crashes > 0).length,
      'restart-to-all-terminal': seconds(recoveredMs),
      took: seconds(Date.now() - began),
    });

    expect(atRestart.PROCESSING).toBe(PROCESSING);
    expect(atRestart.QUEUED).toBeGreaterThanOrEqual(QUEUED);
    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    expect(summary.byStatus).toEqual({ SUCCEEDED: ids.length });
    // Postgres still held the leases Redis forgot: the jobs in flight ran on.
    expect(rerun).toBe(0);
    expect(audits.every((job) => job.crashes === 0)).toBe(true);
    expect(replicas.every((replica) => replica.exitedAt() === null)).toBe(true);
  }, sized(240_000, 600_000));
});

/** Submits every job, sixteen at a time; fails if any is not accepted. */
async function submitAll(targets: () => string[], specs: JobSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < specs.length; i += 16) {
    const jobs = await Promise.all(specs.slice(i, i + 16).map((spec) => submitJob(targets, spec)));
    for (const job of jobs) {
      if (!job) throw new Error('a job could not be submitted');
      ids.push(job.id);
    }
  }
  return ids;
}
