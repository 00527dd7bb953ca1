import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import type { OutputSpec, Placeholder } from '../pool/task.ts';
import type { WebhookPayload } from '../webhooks/webhook-payload.ts';

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
    /** Whether the client asked for a placeholder (dominant colour and ThumbHash). */
    placeholders: boolean('placeholders').notNull().default(false),
    placeholder: jsonb('placeholder').$type<Placeholder>(),
    /** The exact preset (`name@version`) the outputs were copied from; null when spelled out. */
    preset: text('preset'),
    sourceKey: text('source_key').notNull(),
    /** Set for development jobs that read a file under LOCAL_SOURCE_DIR. */
    localSource: text('local_source'),
    sourceBytes: bigint('source_bytes', { mode: 'number' }),
    sourceFormat: text('source_format'),
    /** Attempts that ended with their worker thread or process dying. */
    crashes: integer('crashes').notNull().default(0),
    /** When a job waiting to retry becomes ready again. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    /** Why and where the latest status change happened; copied into job_events. */
    transitionReason: text('transition_reason'),
    transitionReplica: text('transition_replica'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    queuedAt: timestamp('queued_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /**
     * The W3C `traceparent` of the startJob request that queued the job, so
     * the spans of its attempts join that trace on whichever replica runs them.
     * Null when tracing was off.
     */
    traceContext: text('trace_context'),
    ...timestamps,
  },
  (table) => [
    index('jobs_owner_created_idx').on(table.owner, table.createdAt.desc(), table.id.desc()),
    index('jobs_active_idx')
      .on(table.status)
      .where(sql`${table.status} in ('QUEUED', 'PROCESSING')`),
  ],
);

/**
 * Append-only history of a job's status changes, written by a trigger on
 * `jobs` (see drizzle/0003_job_events_trigger.sql), so no code path can change
 * a status without leaving a row. The partial unique index is what makes a
 * second terminal transition impossible, whatever the application does.
 */
export const jobEvents = pgTable(
  'job_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    fromStatus: jobStatus('from_status'),
    toStatus: jobStatus('to_status').notNull(),
    attempt: integer('attempt').notNull(),
    replica: text('replica'),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('job_events_job_idx').on(table.jobId, table.id),
    uniqueIndex('job_events_one_terminal_idx')
      .on(table.jobId)
      .where(sql`${table.toStatus} in ('SUCCEEDED', 'FAILED', 'CANCELED')`),
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
    // Nullable: rows written before animation support have none (all stills).
    frames: integer('frames'),
    loopCount: integer('loop_count'),
    durationMs: integer('duration_ms'),
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

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', WEBHOOK_DELIVERY_STATUSES);

/**
 * The webhook outbox: one row per terminal event of a job that has a webhook
 * URL, written in the transaction of that transition. The id is the
 * `webhook-id` a receiver sees on every attempt, so it can drop duplicates.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    owner: text('owner').notNull(),
    url: text('url').notNull(),
    /** `job.succeeded`, `job.failed` or `job.canceled`. */
    eventType: text('event_type').notNull(),
    payload: jsonb('payload').$type<WebhookPayload>().notNull(),
    status: webhookDeliveryStatus('status').notNull().default('PENDING'),
    /** Attempts claimed so far, counting the one in flight. */
    attempts: integer('attempts').notNull().default(0),
    /** When a PENDING row is due; while a sender holds it, the end of its claim. */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    lastError: text('last_error'),
    lastStatusCode: integer('last_status_code'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (table) => [
    // A job has at most one terminal transition, so at most one row per event.
    uniqueIndex('webhook_deliveries_job_event_idx').on(table.jobId, table.eventType),
    index('webhook_deliveries_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.status} = 'PENDING'`),
  ],
);

/**
 * Named pipelines, one row per version. Rows are never updated: a job copies
 * the outputs of the version it names, so a later version cannot change it.
 * The key also serves "latest version of a name", scanned backwards.
 */
export const presets = pgTable(
  'presets',
  {
    owner: text('owner').notNull(),
    name: text('name').notNull(),
    /** 1, 2, 3… per owner and name, assigned by the server. */
    version: integer('version').notNull(),
    outputs: jsonb('outputs').$type<OutputSpec[]>().notNull(),
    /** Whether jobs made from it ask for a placeholder unless they say otherwise. */
    placeholders: boolean('placeholders').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.owner, table.name, table.version] })],
);

export type JobRow = typeof jobs.$inferSelect;
export type PresetRow = typeof presets.$inferSelect;
export type JobOutputRow = typeof jobOutputs.$inferSelect;
export type JobEventRow = typeof jobEvents.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
