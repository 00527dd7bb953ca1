import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { POISON_PILL_MARKER } from '../../src/pool/fault-worker.ts';
import { probeFigures, startApiProbe } from './support/api-probe.ts';
import { sized } from './support/fault-mode.ts';
import { createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import { auditJobs, summarize, waitForAllTerminal } from './support/job-audit.ts';
import { submitJob, tinySpecs, type JobSpec, type SubmittedJob } from './support/job-traffic.ts';
import { findLogLines } from './support/replica-logs.ts';

const GOOD_JOBS = sized(50, 200);
const POISON_PILLS = sized(1, 3);
const MAX_CRASHES = 2;
const ENV = {
  FAULT_INJECTION: 'crash-worker-on-source-marker',
  MAX_CRASHES,
  // Above the crashes allowed, so that the crash limit is what ends the pill.
  MAX_ATTEMPTS: MAX_CRASHES + 3,
};

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

describe('a poison pill among good jobs', () => {
  it('fails on its crash limit while the good jobs succeed and the API stays up', async () => {
    const began = Date.now();
    const replicas = [await stack.startReplica('a', ENV), await stack.startReplica('b', ENV)];
    const targets = () => replicas.map((replica) => replica.graphqlUrl);
    const probe = startApiProbe(targets);

    const specs = await tinySpecs();
    const [base] = specs;
    if (!base) throw new Error('no tiny images');
    const poison: JobSpec = {
      source: Buffer.concat([base.source, Buffer.from(POISON_PILL_MARKER, 'latin1')]),
      outputs: base.outputs,
    };
    // The pills go in among the good jobs, not before or after them.
    const plan: { spec: JobSpec; poison: boolean }[] = [];
    for (let i = 0; i < GOOD_JOBS; i += 1) {
      if (i % Math.ceil(GOOD_JOBS / POISON_PILLS) === Math.floor(GOOD_JOBS / POISON_PILLS / 2)) {
        plan.push({ spec: poison, poison: true });
      }
      plan.push({ spec: specs[i % specs.length] as JobSpec, poison: false });
    }
    const submitted = await submitAll(targets, plan);
    const pills = submitted.filter((job) => job.poison).map((job) => job.id);
    const good = submitted.filter((job) => !job.poison).map((job) => job.id);
    expect(pills).toHaveLength(POISON_PILLS);
    expect(good).toHaveLength(GOOD_JOBS);

    await waitForAllTerminal(stack.db, [...pills, ...good], 90_000);
    const api = probeFigures(await probe.stop());
    const audits = await auditJobs(stack.db, [...pills, ...good]);
    const summary = summarize(audits);
    const crashLines = await findLogLines(replicas, (line) =>
      line.msg === 'job attempt failed; will retry' && line.crashed === true);
    const pillAudits = audits.filter((job) => pills.includes(job.id));

    printFigures('poison pill', {
      good: good.length,
      'good-succeeded': audits.filter((j) => good.includes(j.id) && j.status === 'SUCCEEDED')
        .length,
      pills: pills.length,
      'crashes-per-pill': pillAudits.map((job) => job.crashes).join(','),
      'max-crashes': MAX_CRASHES,
      'worker-exits-logged': crashLines.length,
      lost: summary.lost.length,
      'duplicate-terminals': summary.duplicateTerminals,
      'api-requests': api.requests,
      'api-errors': api.requests - (api.statuses[200] ?? 0),
      'api-max': seconds(api.maxMs),
      took: seconds(Date.now() - began),
    });

    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    for (const pill of pillAudits) {
      // Up to MAX_CRASHES crashes are retried; the next one fails the job.
      expect(pill).toMatchObject({
        status: 'FAILED',
        errorCode: 'WORKER_CRASHED',
        crashes: MAX_CRASHES + 1,
        claims: MAX_CRASHES + 1,
      });
    }
    expect(crashLines.every((line) => pills.includes(String(line.jobId)))).toBe(true);
    expect(crashLines).toHaveLength(POISON_PILLS * (MAX_CRASHES + 1));
    expect(audits.filter((job) => good.includes(job.id)).every((job) =>
      job.status === 'SUCCEEDED' && job.claims === 1)).toBe(true);
    expect(api.statuses).toEqual({ 200: api.requests });
    expect(replicas.every((replica) => replica.exitedAt() === null)).toBe(true);
  }, sized(180_000, 600_000));
});

/** Submits every planned job, eight at a time, in order. */
async function submitAll(
  targets: () => string[],
  plan: { spec: JobSpec; poison: boolean }[],
): Promise<(SubmittedJob & { poison: boolean })[]> {
  const submitted: (SubmittedJob & { poison: boolean })[] = [];
  for (let i = 0; i < plan.length; i += 8) {
    const batch = plan.slice(i, i + 8);
    const jobs = await Promise.all(batch.map((entry) => submitJob(targets, entry.spec)));
    jobs.forEach((job, k) => {
      if (!job) throw new Error('a job could not be submitted');
      submitted.push({ ...job, poison: (batch[k] as { poison: boolean }).poison });
    });
  }
  return submitted;
}
