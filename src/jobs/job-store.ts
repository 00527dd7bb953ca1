import { randomUUID } from 'node:crypto';

import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';

import type { Database } from '../infra/postgres.ts';
import {
  jobEvents,
  jobOutputs,
  jobs,
  type JobEventRow,
  type JobRow,
  type JobStatus,
} from '../infra/tables.ts';
import type { OutputSpec } from '../pool/task.ts';
import { enqueueWebhook } from '../webhooks/webhook-outbox.ts';
import type { JobSnapshot } from './job-snapshot.ts';

export interface NewJob {
  owner: string;
  outputs: OutputSpec[];
  webhookUrl: string | null;
  localSource: string | null;
  /** Default false. */
  placeholders?: boolean;
  /** The preset version ("name@version") the outputs were copied from, if any. */
  preset?: string | null;
}

export interface JobPageOptions {
  owner: string;
  status: JobStatus | null;
  limit: number;
  /** Keyset cursors: ids of jobs the page starts after or ends before. */
  olderThan: string | null;
  newerThan: string | null;
  /** Walk backwards (for `last`); the caller reverses the page. */
  oldestFirst: boolean;
}

export type JobStore = ReturnType<typeof createJobStore>;

/** Reads and the client-driven writes of jobs; every one is scoped to an owner. */
export function createJobStore(db: Database, replica: string) {
  const because = (reason: string) => ({ transitionReason: reason, transitionReplica: replica });

  async function withOutputs(rows: JobRow[]): Promise<JobSnapshot[]> {
    if (rows.length === 0) return [];
    const outputs = await db
      .select()
      .from(jobOutputs)
      .where(inArray(jobOutputs.jobId, rows.map((row) => row.id)));

    return rows.map((job) => {
      const own = outputs.filter((output) => output.jobId === job.id);
      const outputsDone = job.status === 'SUCCEEDED' ? own.length : 0;
      return { job, outputs: own, outputsDone };
    });
  }

  return {
    withOutputs,

    async create(input: NewJob): Promise<JobRow> {
      const id = randomUUID();
      const [row] = await db
        .insert(jobs)
        .values({ id, sourceKey: `sources/${id}`, ...input, ...because('created') })
        .returning();
      return row as JobRow;
    },

    /** The job's status history, oldest first. Callers have already checked the owner. */
    events(jobId: string): Promise<JobEventRow[]> {
      return db
        .select()
        .from(jobEvents)
        .where(eq(jobEvents.jobId, jobId))
        .orderBy(asc(jobEvents.id));
    },

    async find(owner: string, id: string): Promise<JobSnapshot | null> {
      const rows = await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.id, id), eq(jobs.owner, owner)));
      const [snapshot] = await withOutputs(rows);
      return snapshot ?? null;
    },

    async page(options: JobPageOptions): Promise<JobSnapshot[]> {
      // Compare (created_at, id) pairs so that jobs created in the same
      // microsecond are neither skipped nor repeated between pages.
      const position = (id: string) =>
        sql`(select ${jobs.createdAt}, ${jobs.id} from ${jobs} where ${jobs.id} = ${id})`;
      const order = options.oldestFirst
        ? [asc(jobs.createdAt), asc(jobs.id)]
        : [desc(jobs.createdAt), desc(jobs.id)];

      const rows = await db
        .select()
        .from(jobs)
        .where(
          and(
            eq(jobs.owner, options.owner),
            options.status ? eq(jobs.status, options.status) : undefined,
            options.olderThan
              ? sql`(${jobs.createdAt}, ${jobs.id}) < ${position(options.olderThan)}`
              : undefined,
            options.newerThan
              ? sql`(${jobs.createdAt}, ${jobs.id}) > ${position(options.newerThan)}`
              : undefined,
          ),
        )
        .orderBy(...order)
        .limit(options.limit);
      return withOutputs(rows);
    },

    /** CREATED → QUEUED once the source passed its checks. Null when not CREATED. */
    async markQueued(
      owner: string,
      id: string,
      source: { bytes: number; format: string },
      /** The `traceparent` of the startJob request, for the job's spans to join. */
      traceContext: string | null = null,
    ): Promise<JobRow | null> {
      const [row] = await db
        .update(jobs)
        .set({
          status: 'QUEUED',
          ...because('started'),
          sourceBytes: source.bytes,
          sourceFormat: source.format,
          traceContext,
          queuedAt: sql`now()`,
          updatedAt: sql`now()`,
          version: sql`${jobs.version} + 1`,
        })
        .where(and(eq(jobs.id, id), eq(jobs.owner, owner), eq(jobs.status, 'CREATED')))
        .returning();
      return row ?? null;
    },

    /** Any unfinished job → CANCELED, with its webhook. Null when it has already finished. */
    async cancel(owner: string, id: string): Promise<JobRow | null> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(jobs)
          .set({
            status: 'CANCELED',
            ...because('canceled by owner'),
            finishedAt: sql`now()`,
            leaseExpiresAt: null,
            updatedAt: sql`now()`,
            version: sql`${jobs.version} + 1`,
          })
          .where(
            and(
              eq(jobs.id, id),
              eq(jobs.owner, owner),
              inArray(jobs.status, ['CREATED', 'QUEUED', 'PROCESSING']),
            ),
          )
          .returning();
        if (!row) return null;

        await enqueueWebhook(tx, row);
        return row;
      });
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A job id in its canonical lower-case form, or null for anything that is not
 * a UUID: such a value names no job and never reaches Postgres. Canonical,
 * because event channels are keyed by the id as a string.
 */
export function parseJobId(value: string): string | null {
  return UUID.test(value) ? value.toLowerCase() : null;
}
