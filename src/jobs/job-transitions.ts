import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';

import type { Database } from '../infra/postgres.ts';
import { jobOutputs, jobUsage, jobs, type JobRow } from '../infra/tables.ts';
import { enqueueWebhook } from '../webhooks/webhook-outbox.ts';
import type { Placeholder } from '../pool/task.ts';
import type { JobErrorCode } from './job-error-code.ts';

export type Claim =
  | { kind: 'claimed'; job: JobRow }
  /** Finished, canceled or unknown: nothing to run. */
  | { kind: 'gone' }
  /** Another replica holds a live lease on it, or did a moment ago: try again at `until`. */
  | { kind: 'lease-live'; until: Date }
  /** It was leased MAX_ATTEMPTS times, or crashed more than MAX_CRASHES times. */
  | { kind: 'exhausted'; job: JobRow };

export interface AttemptLimits {
  maxAttempts: number;
  /** Attempts that may die with their worker or process before the job fails. */
  maxCrashes: number;
}

export interface StoredOutput {
  outputId: string;
  format: string;
  width: number;
  height: number;
  /** 1 for a still. Rows stored before animation support read back null. */
  frames: number;
  /** Animated outputs only: plays this many times, 0 for forever. */
  loopCount: number | null;
  /** Animated outputs only: the sum of its frame delays. */
  durationMs: number | null;
  bytes: number;
  storageKey: string;
}

export interface JobUsage {
  pixelsProcessed: number;
  bytesIn: number;
  bytesOut: number;
  computeMs: number;
}

export type JobTransitions = ReturnType<typeof createJobTransitions>;

const bump = {
  updatedAt: sql`now()`,
  version: sql`${jobs.version} + 1`,
};

const leaseUntil = (leaseMs: number) => sql`now() + ${leaseMs} * interval '1 millisecond'`;

/**
 * The dispatcher's writes. Each is one conditional UPDATE from the status and
 * attempt the caller holds, so a worker that lost its lease cannot overwrite
 * the job: its write matches no row and the caller is told.
 */
export function createJobTransitions(db: Database, replica: string) {
  const because = (reason: string | SQL) => ({
    transitionReason: reason,
    transitionReplica: replica,
  });
  const held = (id: string, attempt: number) =>
    and(eq(jobs.id, id), eq(jobs.attempt, attempt), eq(jobs.status, 'PROCESSING'));

  /** A terminal UPDATE and its webhook in one transaction; nothing when refused. */
  async function finish(
    where: SQL | undefined,
    values: PgUpdateSetSource<typeof jobs>,
  ): Promise<JobRow | null> {
    return db.transaction(async (tx) => {
      const [row] = await tx
        .update(jobs)
        .set({ ...values, leaseExpiresAt: null, finishedAt: sql`now()`, ...bump })
        .where(where)
        .returning();
      if (!row) return null;

      await enqueueWebhook(tx, row);
      return row;
    });
  }

  return {
    /**
     * QUEUED (or PROCESSING with an expired lease) → PROCESSING, attempt + 1.
     * An expired lease means the previous attempt died with its process, so
     * it counts as a crash.
     */
    async claim(id: string, leaseMs: number, limits: AttemptLimits): Promise<Claim> {
      const expired = and(eq(jobs.status, 'PROCESSING'), sql`${jobs.leaseExpiresAt} < now()`);
      const crashedBefore = sql`case when ${jobs.status} = 'PROCESSING' then 1 else 0 end`;
      const [claimed] = await db
        .update(jobs)
        .set({
          status: 'PROCESSING',
          attempt: sql`${jobs.attempt} + 1`,
          crashes: sql`${jobs.crashes} + ${crashedBefore}`,
          leaseExpiresAt: leaseUntil(leaseMs),
          nextAttemptAt: null,
          startedAt: sql`coalesce(${jobs.startedAt}, now())`,
          errorCode: null,
          errorMessage: null,
          ...because(sql`case when ${jobs.status} = 'PROCESSING'
            then 'lease expired' else 'leased' end`),
          ...bump,
        })
        .where(
          and(
            eq(jobs.id, id),
            sql`${jobs.attempt} < ${limits.maxAttempts}`,
            sql`${jobs.crashes} + ${crashedBefore} <= ${limits.maxCrashes}`,
            or(eq(jobs.status, 'QUEUED'), expired),
          ),
        )
        .returning();
      if (claimed) return { kind: 'claimed', job: claimed };

      const [current] = await db.select().from(jobs).where(eq(jobs.id, id));
      if (!current || (current.status !== 'QUEUED' && current.status !== 'PROCESSING')) {
        return { kind: 'gone' };
      }
      const expires = current.leaseExpiresAt;
      if (current.status === 'PROCESSING' && expires && expires.getTime() > Date.now()) {
        return { kind: 'lease-live', until: expires };
      }

      const crashes = current.crashes + (current.status === 'PROCESSING' ? 1 : 0);
      const crashed = crashes > limits.maxCrashes;
      if (!crashed && current.attempt < limits.maxAttempts) {
        // Within its limits, so the UPDATE missed it only because the job
        // changed in between (a renewal just before it, a lease that ran out
        // just after): the caller tries again; failing it here was a bug.
        return { kind: 'lease-live', until: expires ?? new Date() };
      }
      const code: JobErrorCode = crashed ? 'WORKER_CRASHED' : 'ATTEMPTS_EXHAUSTED';
      const summary = crashed
        ? `its processing crashed ${crashes} times`
        : `gave up after ${current.attempt} attempts`;
      const failed = await finish(
        and(eq(jobs.id, id), eq(jobs.attempt, current.attempt), eq(jobs.status, current.status)),
        {
          status: 'FAILED',
          crashes,
          errorCode: code,
          errorMessage: [summary, current.errorMessage].filter(Boolean).join(': '),
          ...because(code),
        },
      );
      return failed ? { kind: 'exhausted', job: failed } : { kind: 'gone' };
    },

    /** Mirrors the lease deadline in Postgres. False when the attempt was superseded. */
    async renewLease(id: string, attempt: number, leaseMs: number): Promise<boolean> {
      const rows = await db
        .update(jobs)
        .set({ leaseExpiresAt: leaseUntil(leaseMs) })
        .where(held(id, attempt))
        .returning({ id: jobs.id });
      return rows.length === 1;
    },

    /** Outputs, usage, webhook and SUCCEEDED in one transaction; nothing if the attempt lost. */
    async succeed(
      id: string,
      attempt: number,
      outputs: StoredOutput[],
      usage: JobUsage,
      placeholder?: Placeholder,
    ): Promise<JobRow | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(jobs)
          .set({
            status: 'SUCCEEDED',
            ...(placeholder ? { placeholder } : {}),
            leaseExpiresAt: null,
            finishedAt: sql`now()`,
            ...because('processed'),
            ...bump,
          })
          .where(held(id, attempt))
          .returning();
        if (!row) return null;

        if (outputs.length > 0) {
          await tx.insert(jobOutputs).values(outputs.map((output) => ({ jobId: id, ...output })));
        }
        await tx.insert(jobUsage).values({ jobId: id, owner: row.owner, ...usage });
        await enqueueWebhook(tx, row, { outputs, usage });
        return row;
      });
    },

    /** `crashed`: this attempt died with its worker, and counts in `crashes`. */
    async fail(
      id: string,
      attempt: number,
      code: JobErrorCode,
      message: string,
      options: { crashed?: boolean } = {},
    ): Promise<JobRow | null> {
      return finish(held(id, attempt), {
        status: 'FAILED',
        errorCode: code,
        errorMessage: message,
        ...(options.crashed ? { crashes: sql`${jobs.crashes} + 1` } : {}),
        ...because(code),
      });
    },

    /**
     * PROCESSING → QUEUED after a transient failure or a crashed worker, to
     * run again in `delayMs`; the next lease makes the next attempt.
     */
    async retry(
      id: string,
      attempt: number,
      failure: { message: string; delayMs: number; crashed: boolean },
    ): Promise<JobRow | null> {
      const [row] = await db
        .update(jobs)
        .set({
          status: 'QUEUED',
          crashes: sql`${jobs.crashes} + ${failure.crashed ? 1 : 0}`,
          errorCode: null,
          errorMessage: failure.message,
          leaseExpiresAt: null,
          nextAttemptAt: sql`now() + ${Math.round(failure.delayMs)} * interval '1 millisecond'`,
          ...because(failure.crashed ? 'worker crashed' : `retry: ${failure.message}`),
          ...bump,
        })
        .where(held(id, attempt))
        .returning();
      return row ?? null;
    },

    /**
     * Jobs Redis should be tracking: QUEUED for longer than `graceMs`, or
     * PROCESSING with a lease that ran out more than `graceMs` ago. The grace
     * covers the moment between a commit and the Redis write that follows it.
     */
    async overdue(graceMs: number, limit: number): Promise<string[]> {
      const cutoff = sql`now() - ${graceMs} * interval '1 millisecond'`;
      const rows = await db
        .select({ id: jobs.id })
        .from(jobs)
        .where(
          or(
            and(eq(jobs.status, 'QUEUED'), sql`${jobs.updatedAt} < ${cutoff}`),
            and(eq(jobs.status, 'PROCESSING'), sql`${jobs.leaseExpiresAt} < ${cutoff}`),
          ),
        )
        .limit(limit);
      return rows.map((row) => row.id);
    },

    async current(id: string): Promise<JobRow | null> {
      const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
      return row ?? null;
    },
  };
}
