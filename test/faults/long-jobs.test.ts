import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { measureCpu } from './support/cpu-usage.ts';
import { sized } from './support/fault-mode.ts';
import { FAST_TIMING, createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import { auditJobs, eventsOf, summarize, waitForAllTerminal } from './support/job-audit.ts';
import { slowSpec, submitJob } from './support/job-traffic.ts';
import { findLogLines } from './support/replica-logs.ts';

// Two replicas of two threads each: four AVIF encodes on two cores.
const JOBS = sized(4, 12);
// What is under test is the lease, not the time limit: a job slowed down by a
// busy machine must not end TIMEOUT instead.
const ENV = { JOB_TIMEOUT_MS: 600_000 };

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

describe('jobs three times longer than the lease, with both cores busy', () => {
  it('keeps every lease alive: no false expiry, no second execution', async () => {
    const began = Date.now();
    const replicas = [await stack.startReplica('a', ENV), await stack.startReplica('b', ENV)];
    const targets = () => replicas.map((replica) => replica.graphqlUrl);
    const spec = await slowSpec(2);

    const cpu = measureCpu();
    const submitted = await Promise.all(
      Array.from({ length: JOBS }, () => submitJob(targets, spec)),
    );
    const ids = submitted.map((job) => {
      if (!job) throw new Error('a job could not be submitted');
      return job.id;
    });
    await waitForAllTerminal(stack.db, ids, sized(120_000, 300_000));
    const coresBusy = cpu.stop();

    const audits = await auditJobs(stack.db, ids);
    const summary = summarize(audits);
    const events = await eventsOf(stack.db, ids);
    const processing = ids.map((id) => {
      const own = events.filter((event) => event.jobId === id);
      const claimed = own.find((event) => event.to === 'PROCESSING');
      const finished = own.find((event) => event.to === 'SUCCEEDED');
      return (finished?.at ?? 0) - (claimed?.at ?? Infinity);
    });
    const expiries = events.filter((event) => event.reason === 'lease expired');
    const leaseLogs = await findLogLines(replicas, (line) =>
      line.msg === 'lease lost while processing; leaving the job to its new holder' ||
      line.msg === 'expired leases re-queued' ||
      line.msg === 'jobs restored to the queue');
    const doubleExecutions = audits.filter((job) => job.claims > 1).length;

    printFigures('long jobs', {
      jobs: ids.length,
      lease: seconds(FAST_TIMING.LEASE_MS),
      renew: seconds(FAST_TIMING.LEASE_RENEW_MS),
      'min-processing': seconds(Math.min(...processing)),
      'max-processing': seconds(Math.max(...processing)),
      'cores-busy': coresBusy.toFixed(2),
      'false-expiries': expiries.length + leaseLogs.length,
      'double-executions': doubleExecutions,
      lost: summary.lost.length,
      took: seconds(Date.now() - began),
    });

    expect(summary.byStatus).toEqual({ SUCCEEDED: JOBS });
    expect(Math.min(...processing)).toBeGreaterThanOrEqual(3 * FAST_TIMING.LEASE_MS);
    expect(expiries).toEqual([]);
    expect(leaseLogs).toEqual([]);
    expect(doubleExecutions).toBe(0);
    expect(audits.every((job) => job.attempt === 1)).toBe(true);
    expect(coresBusy).toBeGreaterThan(1.5);
  }, sized(180_000, 600_000));
});
