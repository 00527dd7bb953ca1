import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { probeFigures, startApiProbe } from './support/api-probe.ts';
import { sized } from './support/fault-mode.ts';
import { createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import {
  auditJobs, countByStatus, summarize, waitForAllTerminal,
} from './support/job-audit.ts';
import { slowSpec, startJobStream, tinySpecs, type JobSpec } from './support/job-traffic.ts';
import { waitUntil } from './support/wait.ts';

const OUTAGES = sized(1, 3);
const OUTAGE_MS = sized(4000, 10_000);
/** An answer slower than this counts as the API hanging. */
const ANSWER_WITHIN_MS = 6000;

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'private' });
});

afterAll(async () => {
  await stack?.close();
});

describe('Postgres restarted while jobs are processing', () => {
  it('answers 503 meanwhile, never hangs, and loses or repeats no job', async () => {
    const began = Date.now();
    const cluster = stack.cluster;
    if (!cluster) throw new Error('this scenario needs a private Postgres');
    const replicas = [await stack.startReplica('a'), await stack.startReplica('b')];
    const targets = () => replicas.map((replica) => replica.graphqlUrl);
    // Mostly tiny jobs, and every fifth a few seconds long, so that some are
    // always processing when Postgres goes away.
    const [tiny, medium] = await Promise.all([tinySpecs(), slowSpec(1)]);
    const stream = startJobStream({
      targets,
      ratePerSecond: 5,
      next: (i) => (i % 5 === 0 ? medium : tiny[i % tiny.length] as JobSpec),
      maxJobs: 1000,
      tries: 2,
    });
    const probe = startApiProbe(targets, { timeoutMs: 15_000 });
    const outages: { from: number; to: number; processing: number }[] = [];

    for (let outage = 0; outage < OUTAGES; outage += 1) {
      const processing = await waitUntil(async () => {
        const count = (await countByStatus(stack.db)).PROCESSING ?? 0;
        return count >= 2 ? count : null;
      }, { what: 'jobs processing', timeoutMs: 30_000 });
      await cluster.stop();
      const from = Date.now();
      await sleep(OUTAGE_MS);
      const to = Date.now();
      await cluster.start();
      outages.push({ from, to, processing });
      await sleep(3000);
    }

    await stream.stop();
    const started = stream.submitted.map((job) => job.id);
    await waitForAllTerminal(stack.db, started, 120_000);
    const samples = await probe.stop();

    const down = outages.map((o) => probeFigures(samples, o.from, o.to - 200));
    const all = probeFigures(samples);
    const audits = await auditJobs(stack.db, started);
    const summary = summarize(audits);
    const downRequests = down.reduce((sum, f) => sum + f.requests, 0);
    const down503 = down.reduce((sum, f) => sum + (f.statuses[503] ?? 0), 0);

    printFigures('Postgres restarted', {
      outages: OUTAGES,
      'outage-length': seconds(OUTAGE_MS),
      'processing-at-stop': outages.map((o) => o.processing).join(','),
      jobs: summary.jobs,
      lost: summary.lost.length,
      'duplicate-terminals': summary.duplicateTerminals,
      'refused-during-outage': stream.refused(),
      'api-requests-during-outage': downRequests,
      'answered-503': down503,
      'max-answer-during-outage': seconds(Math.max(...down.map((f) => f.maxMs))),
      'max-answer-overall': seconds(all.maxMs),
      'unanswered': all.statuses[0] ?? 0,
      're-executed': audits.filter((job) => job.claims > 1).length,
      'counted-as-crash': audits.filter((job) => job.crashes > 0).length,
      took: seconds(Date.now() - began),
    });

    expect(down503).toBe(downRequests);
    expect(down.every((f) => f.unavailable === f.requests)).toBe(true);
    expect(all.statuses[0] ?? 0).toBe(0);
    expect(all.maxMs).toBeLessThan(ANSWER_WITHIN_MS);
    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    expect(summary.byStatus).toEqual({ SUCCEEDED: summary.jobs });
    // Outcomes written during the outage waited for Postgres under a live lease.
    expect(audits.filter((job) => job.claims > 1)).toEqual([]);
    expect(audits.filter((job) => job.crashes > 0)).toEqual([]);
    expect(replicas.every((replica) => replica.exitedAt() === null)).toBe(true);
  }, sized(180_000, 600_000));
});
