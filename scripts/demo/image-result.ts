import type { CorpusEntry } from './manifest.ts';
import type { Job } from './job-api.ts';

/** How one image's trip through the API ended. */
export type ImageOutcome =
  /** The job reached SUCCEEDED, FAILED or CANCELED. */
  | { kind: 'finished'; job: Job }
  /** startJob refused the source with a SourceRejectedError; the job stays CREATED. */
  | { kind: 'rejected'; code: string; message: string; detectedFormat: string | null }
  /** The per-image timeout ran out; `lastStatus` is the last status seen, if any. */
  | { kind: 'timed-out'; lastStatus: string | null }
  /** Anything else: a transport failure, or an answer the schema does not allow. */
  | { kind: 'broken'; message: string };

export interface ImageResult {
  entry: CorpusEntry;
  jobId: string | null;
  /** Bytes of the file on disk, and what the service said of the source. */
  fileBytes: number;
  sourceFormat: string | null;
  sourceBytes: number | null;
  outcome: ImageOutcome;
  /** Problems found with a SUCCEEDED job's outputs. */
  problems: string[];
  /** From createJob to the terminal event (or the failure), in ms. */
  elapsedMs: number;
}

export const RESULT_STATUSES = [
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'REJECTED',
  'TIMED_OUT',
  'ERROR',
] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number] | 'UNKNOWN';

export function statusOf(outcome: ImageOutcome): ResultStatus {
  switch (outcome.kind) {
    case 'finished': {
      const status = RESULT_STATUSES.find((known) => known === outcome.job.status);
      return status ?? 'UNKNOWN';
    }
    case 'rejected':
      return 'REJECTED';
    case 'timed-out':
      return 'TIMED_OUT';
    case 'broken':
      return 'ERROR';
  }
}

/** The error code to print and count, or null for a success. */
export function codeOf(outcome: ImageOutcome): string | null {
  switch (outcome.kind) {
    case 'finished':
      return outcome.job.error?.code ?? null;
    case 'rejected':
      return outcome.code;
    case 'timed-out':
      return 'CLIENT_TIMEOUT';
    case 'broken':
      return 'CLIENT_ERROR';
  }
}

/**
 * Why this result is one the demo should fail on, or null when it is fine:
 * any timeout, client error or output problem, and any non-success of a
 * file the manifest does not mark as one that may fail.
 */
export function unexpectedReason(result: ImageResult): string | null {
  const { outcome, problems, entry } = result;
  if (outcome.kind === 'timed-out') return `timed out at ${outcome.lastStatus ?? 'start'}`;
  if (outcome.kind === 'broken') return outcome.message;
  if (problems.length > 0) return problems.join('; ');
  if (statusOf(outcome) === 'SUCCEEDED' || entry.mayFail) return null;

  switch (outcome.kind) {
    case 'finished':
      return `${outcome.job.status} ${outcome.job.error?.code ?? ''}: ` +
        (outcome.job.error?.message ?? 'no error given');
    case 'rejected':
      return `rejected ${outcome.code}: ${outcome.message}`;
  }
}
