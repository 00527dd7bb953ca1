import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sized } from './support/fault-mode.ts';
import { createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import {
  auditJobs, eventsOf, processingOn, summarize, waitForAllTerminal,
} from './support/job-audit.ts';
import { slowSpec, submitJob, tinySpecs, type JobSpec } from './support/job-traffic.ts';
import { TERMINAL_WRITE_REFUSED, findLogLines } from './support/replica-logs.ts';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.ts';
import { waitUntil } from './support/wait.ts';

const ROUNDS = sized(1, 3);
const LEASE_MS = 3000;
const CUT_MS = 3 * LEASE_MS;
const TIMING = { LEASE_MS, LEASE_RENEW_MS: 1000 };
const LEASE_LOST = 'lease lost while processing; leaving the job to its new holder';
/** What the cut-off replica logs when its attempt at a job ends. */
const OUTCOMES = new Set([TERMINAL_WRITE_REFUSED, LEASE_LOST, 'job succeeded', 'job failed']);

let stack: FaultStack;
let proxy: TcpProxy;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
  proxy = await startTcpProxy({ host: '127.0.0.1', port: stack.redis.port });
});

afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

interface Round {
  /** Jobs the cut-off replica was processing when it was cut off. */
  jobs: string[];
  /** How long it was cut off: three leases, or until its jobs were done elsewhere. */
  cutMs: number;
  /** From reconnection to the cut-off replica's next claim. */
  resumeMs: number;
}

describe('a replica cut off from Redis for three leases, then reconnected', () => {
  it('has its jobs finished elsewhere, its late writes refused, and resumes', async () => {
    const began = Date.now();
    // Its Redis connections go through the proxy; the other replica's do not.
    const cutOff = await stack.startReplica('cut-off', {
      ...TIMING,
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    });
    const targets = () => [cutOff.graphqlUrl];
    const [slow, tiny] = await Promise.all([slowSpec(2), tinySpecs()]);
    const rounds: Round[] = [];

    for (let round = 0; round < ROUNDS; round += 1) {
      // Alone, the cut-off replica takes both jobs.
      const jobs = await submitAll(targets, [slow, slow]);
      await waitUntil(async () => (await processingOn(stack.db, cutOff.replicaId)).length === 2, {
        what: 'the cut-off replica to be processing both jobs',
        timeoutMs: 20_000,
        intervalMs: 20,
      });
      proxy.cut();
      const cutAt = Date.now();
      const other = await stack.startReplica('other', TIMING);
      await waitForAllTerminal(stack.db, jobs, 120_000);
      // Done elsewhere: the other replica leaves, so that only the cut-off
      // one can take what comes next.
      await other.stop();

      // Cut off for three leases, and until the cut-off replica has tried to
      // write the outcome of each of its jobs.
      await waitUntil(async () => {
        const lines = await cutOff.logs();
        const ended = (id: string) => lines.some((l) => l.jobId === id && OUTCOMES.has(l.msg));
        return jobs.every(ended);
      }, { what: 'the cut-off replica to finish its jobs', timeoutMs: 120_000, intervalMs: 100 });
      await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
      proxy.restore();
      const restoredAt = Date.now();
      const more = await submitAll(targets, tiny.slice(0, 4));
      const resumedAt = await waitUntil(async () => {
        const events = await eventsOf(stack.db, more);
        const claim = events.find((e) => e.to === 'PROCESSING' && e.replica === cutOff.replicaId);
        return claim?.at ?? null;
      }, { what: 'the cut-off replica to take work again', timeoutMs: 30_000 });
      await waitForAllTerminal(stack.db, more, 30_000);
      rounds.push({ jobs, cutMs: restoredAt - cutAt, resumeMs: resumedAt - restoredAt });
    }

    const jobs = rounds.flatMap((round) => round.jobs);
    const audits = await auditJobs(stack.db);
    const summary = summarize(audits);
    const events = await eventsOf(stack.db, jobs);
    const finishedElsewhere = jobs.filter((id) => events.some((e) =>
      e.jobId === id && e.to === 'SUCCEEDED' && e.replica !== cutOff.replicaId));
    const refused = await findLogLines([cutOff], (line) => line.msg === TERMINAL_WRITE_REFUSED);
    const abandoned = await findLogLines([cutOff], (line) => line.msg === LEASE_LOST);

    printFigures('Redis partition', {
      rounds: ROUNDS,
      cut: rounds.map((round) => seconds(round.cutMs)).join(','),
      lease: seconds(LEASE_MS),
      'jobs-in-flight-at-cut': jobs.length,
      'finished-elsewhere': finishedElsewhere.length,
      'late-writes-refused': refused.length,
      'abandoned-on-reconnect': abandoned.length,
      'terminal-events-per-job': [...new Set(audits.map((job) => job.terminalEvents))].join(','),
      lost: summary.lost.length,
      'max-resume-after-reconnect': seconds(Math.max(...rounds.map((r) => r.resumeMs))),
      took: seconds(Date.now() - began),
    });

    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    expect(summary.byStatus).toEqual({ SUCCEEDED: summary.jobs });
    expect(audits.every((job) => job.terminalEvents === 1)).toBe(true);
    expect(finishedElsewhere).toEqual(jobs);
    expect(refused.map((line) => line.jobId).sort()).toEqual([...jobs].sort());
    expect(Math.max(...rounds.map((r) => r.resumeMs))).toBeLessThan(10_000);
    expect(cutOff.exitedAt()).toBeNull();
  }, sized(180_000, 600_000));
});

async function submitAll(targets: () => string[], specs: JobSpec[]): Promise<string[]> {
  const jobs = await Promise.all(specs.map((spec) => submitJob(targets, spec)));
  return jobs.map((job) => {
    if (!job) throw new Error('a job could not be submitted');
    return job.id;
  });
}
