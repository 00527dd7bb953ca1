import { and, eq, or, sql, type SQL } from 'drizzle-orm';

import type { Database } from '../infra/postgres.ts';
import { jobOutputs, jobUsage, jobs, type JobRow } from '../infra/tables.ts';
import { enqueueWebhook } from '../webhooks/webhook-outbox.ts';
import type { JobErrorCode } from './job-error-code.ts';

export type Claim =
  | { kind: 'claimed'; job: JobRow }
  /** Finished, canceled or unknown: nothing to run. */
  | { kind: 'gone' }
  /** Another replica still holds a live lease on it. */
  | { kind: 'lease-live'; until: Date }
  /** It was leased MAX_ATTEMPTS times already. */
  | { kind: 'exhausted'; job: JobRow };

export interface StoredOutput {
  outputId: string;
  format: string;
  width: number;
  height: number;
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
export function createJobTransitions(db: Database) {
  const held = (id: string, attempt: number) =>
    and(eq(jobs.id, id), eq(jobs.attempt, attempt), eq(jobs.status, 'PROCESSING'));

  /** A terminal UPDATE and its webhook in one transaction; nothing when refused. */
  async function finish(
    where: SQL | undefined,
    values: Partial<typeof jobs.$inferInsert>,
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
    /** QUEUED (or PROCESSING with an expired lease) → PROCESSING, attempt + 1. */
    async claim(id: string, leaseMs: number, maxAttempts: number): Promise<Claim> {
      const [claimed] = await db
        .update(jobs)
        .set({
          status: 'PROCESSING',
          attempt: sql`${jobs.attempt} + 1`,
          leaseExpiresAt: leaseUntil(leaseMs),
          startedAt: sql`coalesce(${jobs.startedAt}, now())`,
          errorCode: null,
          errorMessage: null,
          ...bump,
        })
        .where(
          and(
            eq(jobs.id, id),
            sql`${jobs.attempt} < ${maxAttempts}`,
            or(
              eq(jobs.status, 'QUEUED'),
              and(eq(jobs.status, 'PROCESSING'), sql`${jobs.leaseExpiresAt} < now()`),
            ),
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
      const failed = await finish(
        and(eq(jobs.id, id), eq(jobs.attempt, current.attempt), eq(jobs.status, current.status)),
        {
          status: 'FAILED',
          errorCode: 'ATTEMPTS_EXHAUSTED' satisfies JobErrorCode,
          errorMessage: [`gave up after ${current.attempt} attempts`, current.errorMessage]
            .filter(Boolean)
            .join(': '),
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
    ): Promise<JobRow | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(jobs)
          .set({ status: 'SUCCEEDED', leaseExpiresAt: null, finishedAt: sql`now()`, ...bump })
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

    async fail(
      id: string,
      attempt: number,
      code: JobErrorCode,
      message: string,
    ): Promise<JobRow | null> {
      return finish(held(id, attempt), {
        status: 'FAILED',
        errorCode: code,
        errorMessage: message,
      });
    },

    /** PROCESSING → QUEUED after a transient failure; the attempt stays for the next lease. */
    async retry(id: string, attempt: number, message: string): Promise<JobRow | null> {
      const [row] = await db
        .update(jobs)
        .set({
          status: 'QUEUED',
          errorCode: null,
          errorMessage: message,
          leaseExpiresAt: null,
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
