import type pg from 'pg';

import { waitUntil } from './wait.ts';

const TERMINAL = `('SUCCEEDED', 'FAILED', 'CANCELED')`;

export interface JobAudit {
  id: string;
  status: string;
  attempt: number;
  crashes: number;
  errorCode: string | null;
  /** Terminal rows in job_events: exactly 1 for every finished job. */
  terminalEvents: number;
  /** Times the job was claimed for processing (QUEUED or expired → PROCESSING). */
  claims: number;
  finishedAt: number | null;
}

export interface AuditSummary {
  jobs: number;
  byStatus: Record<string, number>;
  /** Started jobs that are not terminal. */
  lost: string[];
  /** Jobs with more than one terminal event (the unique index allows none). */
  duplicateTerminals: number;
  maxAttempt: number;
}

/**
 * Every job that was ever started (all but CREATED, plus the ids the test
 * started), with its terminal-event and claim counts from job_events.
 */
export async function auditJobs(db: pg.Pool, startedIds: string[] = []): Promise<JobAudit[]> {
  const { rows } = await db.query<{
    id: string; status: string; attempt: number; crashes: number; error_code: string | null;
    terminal_events: string; claims: string; finished_ms: string | null;
  }>(
    `select j.id, j.status, j.attempt, j.crashes, j.error_code,
       (select count(*) from job_events e
         where e.job_id = j.id and e.to_status in ${TERMINAL}) as terminal_events,
       (select count(*) from job_events e
         where e.job_id = j.id and e.to_status = 'PROCESSING') as claims,
       extract(epoch from j.finished_at) * 1000 as finished_ms
     from jobs j
     where j.status <> 'CREATED' or j.id = any($1::uuid[])`,
    [startedIds],
  );
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    attempt: row.attempt,
    crashes: row.crashes,
    errorCode: row.error_code,
    terminalEvents: Number(row.terminal_events),
    claims: Number(row.claims),
    finishedAt: row.finished_ms === null ? null : Number(row.finished_ms),
  }));
}

export function summarize(audits: JobAudit[]): AuditSummary {
  const byStatus: Record<string, number> = {};
  for (const job of audits) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
  const terminal = new Set(['SUCCEEDED', 'FAILED', 'CANCELED']);
  return {
    jobs: audits.length,
    byStatus,
    lost: audits.filter((job) => !terminal.has(job.status)).map((job) => job.id),
    duplicateTerminals: audits.filter((job) => job.terminalEvents > 1).length,
    maxAttempt: Math.max(0, ...audits.map((job) => job.attempt)),
  };
}

/** Waits (bounded) until no started job is left QUEUED or PROCESSING. */
export async function waitForAllTerminal(
  db: pg.Pool,
  startedIds: string[],
  timeoutMs: number,
): Promise<void> {
  await waitUntil(async () => {
    const { rows } = await db.query<{ open: string }>(
      `select count(*) as open from jobs
       where status in ('QUEUED', 'PROCESSING')
          or (status = 'CREATED' and id = any($1::uuid[]))`,
      [startedIds],
    );
    return Number(rows[0]?.open) === 0;
  }, { what: 'every started job to end terminal', timeoutMs, intervalMs: 200 });
}

/** Ids of jobs this replica is processing right now, by Postgres. */
export async function processingOn(db: pg.Pool, replicaId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `select id from jobs where status = 'PROCESSING' and transition_replica = $1`,
    [replicaId],
  );
  return rows.map((row) => row.id);
}

export interface JobEvent {
  jobId: string;
  from: string | null;
  to: string;
  attempt: number;
  replica: string | null;
  reason: string | null;
  at: number;
}

/** The history of the given jobs, oldest first. */
export async function eventsOf(db: pg.Pool, ids: string[]): Promise<JobEvent[]> {
  const { rows } = await db.query<{
    job_id: string; from_status: string | null; to_status: string; attempt: number;
    replica: string | null; reason: string | null; at_ms: string;
  }>(
    `select job_id, from_status, to_status, attempt, replica, reason,
       extract(epoch from at) * 1000 as at_ms
     from job_events where job_id = any($1::uuid[]) order by id`,
    [ids],
  );
  return rows.map((row) => ({
    jobId: row.job_id,
    from: row.from_status,
    to: row.to_status,
    attempt: row.attempt,
    replica: row.replica,
    reason: row.reason,
    at: Number(row.at_ms),
  }));
}

/** How many jobs are in each status right now. */
export async function countByStatus(db: pg.Pool): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; count: string }>(
    'select status, count(*) as count from jobs group by status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
}
