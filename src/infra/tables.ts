import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

import type { OutputSpec } from '../pool/task.ts';

export const JOB_STATUSES = [
  'CREATED',
  'QUEUED',
  'PROCESSING',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELED'];

export const jobStatus = pgEnum('job_status', JOB_STATUSES);

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    owner: text('owner').notNull(),
    status: jobStatus('status').notNull().default('CREATED'),
    /** Incremented on every lease; the fencing number of terminal writes. */
    attempt: integer('attempt').notNull().default(0),
    /** Incremented on every write, so subscribers can drop stale events. */
    version: integer('version').notNull().default(0),
    outputs: jsonb('outputs').$type<OutputSpec[]>().notNull(),
    webhookUrl: text('webhook_url'),
    sourceKey: text('source_key').notNull(),
    /** Set for development jobs that read a file under LOCAL_SOURCE_DIR. */
    localSource: text('local_source'),
    sourceBytes: bigint('source_bytes', { mode: 'number' }),
    sourceFormat: text('source_format'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    index('jobs_owner_created_idx').on(table.owner, table.createdAt.desc(), table.id.desc()),
    index('jobs_active_idx')
      .on(table.status)
      .where(sql`${table.status} in ('QUEUED', 'PROCESSING')`),
  ],
);

export const jobOutputs = pgTable(
  'job_outputs',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    outputId: text('output_id').notNull(),
    format: text('format').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    storageKey: text('storage_key').notNull(),
  },
  (table) => [primaryKey({ columns: [table.jobId, table.outputId] })],
);

/** One row per finished job: what it cost, for billing and capacity planning. */
export const jobUsage = pgTable('job_usage', {
  jobId: uuid('job_id')
    .primaryKey()
    .references(() => jobs.id, { onDelete: 'cascade' }),
  owner: text('owner').notNull(),
  pixelsProcessed: bigint('pixels_processed', { mode: 'number' }).notNull(),
  bytesIn: bigint('bytes_in', { mode: 'number' }).notNull(),
  bytesOut: bigint('bytes_out', { mode: 'number' }).notNull(),
  computeMs: integer('compute_ms').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type JobRow = typeof jobs.$inferSelect;
export type JobOutputRow = typeof jobOutputs.$inferSelect;
