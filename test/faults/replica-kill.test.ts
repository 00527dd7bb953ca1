import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sized } from './support/fault-mode.ts';
import { FAST_TIMING, createFaultStack, type FaultStack } from './support/fault-stack.ts';
import { printFigures, seconds } from './support/figures.ts';
import {
  auditJobs, eventsOf, processingOn, summarize, waitForAllTerminal,
} from './support/job-audit.ts';
import { startJobStream, tinySpecs } from './support/job-traffic.ts';
import { findLogLines, isDuplicateTerminalError } from './support/replica-logs.ts';
import type { ReplicaProcess } from './support/replica-process.ts';
import { waitUntil } from './support/wait.ts';

const KILLS = sized(10, 50);
const JOBS_PER_SECOND = 8;
// Kills of replicas are counted as crashes of their jobs; a job caught by
// several kills must not fail for it here.
const ENV = { MAX_CRASHES: 20, MAX_ATTEMPTS: 20 };

let stack: FaultStack;

beforeAll(async () => {
  stack = await createFaultStack({ postgres: 'shared' });
});

afterAll(async () => {
  await stack?.close();
});

interface Kill {
  at: number;
  /** Jobs the victim was processing, by Postgres, once it was gone. */
  jobs: string[];
}

describe('kill -9 of a replica in the middle of jobs, again and again', () => {
  it('loses no job, finishes each once, and re-runs killed jobs within the lease', async () => {
    const began = Date.now();
    const replicas = [await stack.startReplica('a', ENV), await stack.startReplica('b', ENV)];
    const live = () => replicas.filter((r) => r.exitedAt() === null).map((r) => r.graphqlUrl);
    const specs = await tinySpecs();
    const stream = startJobStream({
      targets: live,
      ratePerSecond: JOBS_PER_SECOND,
      next: (i) => specs[i % specs.length] as (typeof specs)[number],
      maxJobs: KILLS * 200,
    });

    const kills: Kill[] = [];
    for (let k = 0; k < KILLS; k += 1) {
      const slot = k % 2;
      const victim = replicas[slot] as ReplicaProcess;
      await waitUntil(async () => (await processingOn(stack.db, victim.replicaId)).length > 0, {
        what: `replica ${victim.name} to be processing a job`,
        timeoutMs: 20_000,
        intervalMs: 10,
      });
      const at = Date.now();
      victim.signal('SIGKILL');
      await victim.exited;
      kills.push({ at, jobs: await processingOn(stack.db, victim.replicaId) });
      replicas[slot] = await stack.startReplica(victim.name, ENV);
    }

    await stream.stop();
    const started = stream.submitted.map((job) => job.id);
    await waitForAllTerminal(stack.db, started, 60_000);

    const audits = await auditJobs(stack.db, started);
    const summary = summarize(audits);
    const recovery = await killedJobRecovery(kills);
    const duplicates = await findLogLines(stack.replicas, isDuplicateTerminalError);
    const killedJobs = new Set(kills.flatMap((kill) => kill.jobs));

    printFigures('replica kill -9', {
      jobs: summary.jobs,
      kills: kills.length,
      'killed-in-flight': killedJobs.size,
      lost: summary.lost.length,
      'duplicate-terminals': summary.duplicateTerminals + duplicates.length,
      'max-kill-to-terminal': seconds(recovery.maxMs),
      'max-over-processing': seconds(recovery.maxOverProcessingMs),
      bound: `${seconds(FAST_TIMING.LEASE_MS + FAST_TIMING.RECONCILE_MS)}+processing`,
      'max-attempt': summary.maxAttempt,
      refused: stream.refused(),
      took: seconds(Date.now() - began),
    });

    expect(summary.lost).toEqual([]);
    expect(summary.duplicateTerminals).toBe(0);
    expect(duplicates).toEqual([]);
    expect(summary.byStatus).toEqual({ SUCCEEDED: summary.jobs });
    expect(started.length).toBeGreaterThan(KILLS * 5);
    // Most kills land on a job in flight (a job may finish in the instant between).
    expect(killedJobs.size).toBeGreaterThanOrEqual(Math.ceil(KILLS / 2));
    expect(recovery.maxOverProcessingMs).toBeLessThanOrEqual(
      FAST_TIMING.LEASE_MS + FAST_TIMING.RECONCILE_MS,
    );
  }, sized(240_000, 900_000));
});

/**
 * For each job caught by a kill: from its last kill to its terminal event, and
 * that time minus the processing of the attempt that finished it.
 */
async function killedJobRecovery(kills: Kill[]) {
  const lastKill = new Map<string, number>();
  for (const kill of kills) for (const id of kill.jobs) lastKill.set(id, kill.at);
  const events = await eventsOf(stack.db, [...lastKill.keys()]);

  let maxMs = 0;
  let maxOverProcessingMs = 0;
  for (const [id, killedAt] of lastKill) {
    const own = events.filter((event) => event.jobId === id);
    const terminal = own.find((e) => ['SUCCEEDED', 'FAILED', 'CANCELED'].includes(e.to));
    const lastClaim = own.filter((e) => e.to === 'PROCESSING').at(-1);
    if (!terminal || !lastClaim) throw new Error(`job ${id} has no terminal event`);
    const total = terminal.at - killedAt;
    maxMs = Math.max(maxMs, total);
    maxOverProcessingMs = Math.max(maxOverProcessingMs, total - (terminal.at - lastClaim.at));
  }
  return { maxMs, maxOverProcessingMs };
}
