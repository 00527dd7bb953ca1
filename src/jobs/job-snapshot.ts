import type { JobOutputRow, JobRow } from '../infra/tables.ts';

/**
 * A job as clients see it at one moment: what `job(id)` returns and what every
 * `jobProgress` event carries.
 */
export interface JobSnapshot {
  job: JobRow;
  outputs: JobOutputRow[];
  /** Outputs encoded so far in the current attempt. */
  outputsDone: number;
}

const DATE_FIELDS = new Set([
  'createdAt',
  'updatedAt',
  'queuedAt',
  'startedAt',
  'finishedAt',
  'leaseExpiresAt',
]);

/** JSON.parse reviver that restores the Date fields of a JobSnapshot sent over Redis. */
export function reviveSnapshotDates(key: string, value: unknown): unknown {
  return DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value;
}

/** Whether `next` describes a later state than `previous` of the same job. */
export function isNewerSnapshot(next: JobSnapshot, previous: JobSnapshot): boolean {
  if (next.job.version !== previous.job.version) return next.job.version > previous.job.version;
  return next.outputsDone > previous.outputsDone;
}
