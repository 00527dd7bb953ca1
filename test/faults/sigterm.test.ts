import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sized } from './support/fault-mode.ts';
import { SCHEDULING_SLACK_MS, createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import {
  auditJobs, eventsOf, processingOn, summarize, waitForAllTerminal, type JobEvent,
} from './support/job-audit.ts';
import { slowSpec, submitJob, type JobSpec } from './support/job-traffic.ts';
import type { ReplicaProcess } from './support/replica-process.ts';
import { waitUntil } from './support/wait.ts';

const ROUNDS = sized(2, 6);
// Alternate rounds: a grace shorter than the jobs (they are handed back), and
// one longer than them (they finish).
const SHORT_GRACE_MS = 2000;
const LONG_GRACE_MS = 30_000;
// Long enough that no job can move by lease expiry during a round: only a
// hand-back can move it.
const LEASE_MS = 20_000;
const ENV = { LEASE_MS, LEASE_RENEW_MS: 1000 };

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

interface Outcome {
  finishedInGrace: number;
  handedBack: number;
  /** From hand-back to the other replica's claim. */
  takeoverMs: number[];
  violations: string[];
}

describe('SIGTERM with jobs in flight', () => {
  it('finishes each within the grace period or hands it to the other replica', async () => {
    const began = Date.now();
    const survivor = await stack.startReplica('survivor', ENV);
    const targets = () => [survivor.graphqlUrl];
    const mix = await jobMix();
    const ids: string[] = [];
    const exits: { ms: number; graceMs: number; status: string }[] = [];
    const total: Outcome = { finishedInGrace: 0, handedBack: 0, takeoverMs: [], violations: [] };

    for (let round = 0; round < ROUNDS; round += 1) {
      const graceMs = round % 2 === 0 ? SHORT_GRACE_MS : LONG_GRACE_MS;
      const victim = await stack.startReplica('victim', { ...ENV, SHUTDOWN_GRACE_MS: graceMs });
      const submitted = await Promise.all(mix.map((spec) => submitJob(targets, spec)));
      ids.push(...submitted.flatMap((job) => (job ? [job.id] : [])));
      await waitUntil(async () => (await processingOn(stack.db, victim.replicaId)).length >= 2, {
        what: 'the victim to be processing two jobs',
        timeoutMs: 30_000,
        intervalMs: 20,
      });

      const signalledAt = Date.now();
      victim.signal('SIGTERM');
      await victim.exited;
      exits.push({
        ms: (victim.exitedAt() ?? Infinity) - signalledAt,
        graceMs,
        status: victim.exitStatus() ?? '?',
      });
      await waitForAllTerminal(stack.db, ids, 120_000);

      const outcome = classify(await eventsOf(stack.db, ids), victim, signalledAt, graceMs);
      total.finishedInGrace += outcome.finishedInGrace;
      total.handedBack += outcome.handedBack;
      total.takeoverMs.push(...outcome.takeoverMs);
      total.violations.push(...outcome.violations);
    }

    const summary = summarize(await auditJobs(stack.db, ids));
    const overGrace = exits.map((exit) => exit.ms - exit.graceMs);
    printFigures('SIGTERM', {
      rounds: ROUNDS,
      jobs: ids.length,
      'in-flight': total.finishedInGrace + total.handedBack,
      'finished-in-grace': total.finishedInGrace,
      'handed-back': total.handedBack,
      'max-takeover': seconds(Math.max(0, ...total.takeoverMs)),
      lease: seconds(LEASE_MS),
      'max-exit-after-grace': seconds(Math.max(...overGrace)),
      'exited-by': exits.map((exit) => exit.status).join(','),
      lost: summary.lost.length,
      'duplicate-terminals': summary.duplicateTerminals,
      took: seconds(Date.now() - began),
    });

    expect(total.violations).toEqual([]);
    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    expect(summary.byStatus).toEqual({ SUCCEEDED: ids.length });
    expect(total.handedBack).toBeGreaterThan(0);
    expect(total.finishedInGrace).toBeGreaterThan(0);
    // README: a replica exits within the grace plus about 2 s.
    expect(Math.max(...overGrace)).toBeLessThan(2000 + SCHEDULING_SLACK_MS);
    // The lease could not have expired: only a hand-back moved these jobs.
    expect(Math.max(...total.takeoverMs)).toBeLessThan(LEASE_MS / 2);
  }, sized(240_000, 600_000));
});

/**
 * Each round: four jobs of about two seconds of one core each (longer with
 * four at once), so that some end within the grace and some do not.
 */
async function jobMix(): Promise<JobSpec[]> {
  const medium = await slowSpec(1);
  return [medium, medium, medium, medium];
}

/**
 * What became of each job the victim held when it was signalled: finished
 * by it within the grace, or handed back and claimed by another replica.
 */
function classify(
  events: JobEvent[],
  victim: ReplicaProcess,
  signalledAt: number,
  graceMs: number,
): Outcome {
  const outcome: Outcome = { finishedInGrace: 0, handedBack: 0, takeoverMs: [], violations: [] };
  const byJob = new Map<string, JobEvent[]>();
  for (const event of events) byJob.set(event.jobId, [...(byJob.get(event.jobId) ?? []), event]);

  for (const [jobId, history] of byJob) {
    const claim = history.findIndex((e) => e.to === 'PROCESSING' && e.replica === victim.replicaId);
    if (claim < 0) continue;
    const next = history[claim + 1];
    if (next && next.replica === victim.replicaId && next.at < signalledAt) continue;

    if (next?.to === 'SUCCEEDED' && next.replica === victim.replicaId) {
      if (next.at <= signalledAt + graceMs + SCHEDULING_SLACK_MS) outcome.finishedInGrace += 1;
      else outcome.violations.push(`${jobId} finished after the grace period`);
      continue;
    }
    const takeover = history[claim + 2];
    const handedBack = next?.to === 'QUEUED' && next.reason?.startsWith('retry: handed back');
    if (!next || !handedBack || takeover?.to !== 'PROCESSING') {
      outcome.violations.push(`${jobId}: ${next?.to ?? 'nothing'} after the claim`);
      continue;
    }
    if (takeover.replica === victim.replicaId || takeover.reason !== 'leased') {
      outcome.violations.push(`${jobId} was not taken over by another replica`);
      continue;
    }
    outcome.handedBack += 1;
    outcome.takeoverMs.push(takeover.at - next.at);
  }
  return outcome;
}
