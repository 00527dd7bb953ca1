import type { JobRow } from '../infra/tables.ts';
import type { JobUsage, StoredOutput } from '../jobs/job-transitions.ts';

/** The event each terminal status sends. */
export const WEBHOOK_EVENT_TYPES = {
  SUCCEEDED: 'job.succeeded',
  FAILED: 'job.failed',
  CANCELED: 'job.canceled',
} as const;

export type TerminalJobStatus = keyof typeof WEBHOOK_EVENT_TYPES;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[TerminalJobStatus];

export interface WebhookOutput {
  id: string;
  format: string;
  width: number;
  height: number;
  bytes: number;
}

/**
 * The JSON body of a webhook, in the Standard Webhooks envelope (`type`,
 * `timestamp`, `data`). Outputs carry no download URLs: a presigned URL would
 * expire while a delivery is still being retried, so receivers fetch fresh
 * URLs through the `job(id)` query.
 */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the job finished, ISO 8601. */
  timestamp: string;
  data: {
    jobId: string;
    status: TerminalJobStatus;
    attempt: number;
    error: { code: string; message: string } | null;
    outputs: WebhookOutput[];
    /** What the job cost; only a succeeded job has it. */
    usage: JobUsage | null;
    finishedAt: string;
  };
}

/** What the terminal transaction knows beyond the job row itself. */
export interface WebhookDetails {
  outputs: readonly Omit<StoredOutput, 'storageKey'>[];
  usage: JobUsage | null;
}

export const NO_WEBHOOK_DETAILS: WebhookDetails = { outputs: [], usage: null };

export function isTerminalJobStatus(status: string): status is TerminalJobStatus {
  return Object.hasOwn(WEBHOOK_EVENT_TYPES, status);
}

/** Builds the body sent for a job that has just reached a terminal status. */
export function buildWebhookPayload(
  job: JobRow,
  details: WebhookDetails = NO_WEBHOOK_DETAILS,
): WebhookPayload {
  const { status, finishedAt } = job;
  if (!isTerminalJobStatus(status) || !finishedAt) {
    throw new Error(`job ${job.id} is ${status}, not finished: no webhook to send`);
  }

  const error =
    status === 'FAILED' && job.errorCode
      ? { code: job.errorCode, message: job.errorMessage ?? '' }
      : null;
  const outputs = details.outputs.map(({ outputId, format, width, height, bytes }) => ({
    id: outputId,
    format,
    width,
    height,
    bytes,
  }));
  const usage = details.usage && {
    pixelsProcessed: details.usage.pixelsProcessed,
    bytesIn: details.usage.bytesIn,
    bytesOut: details.usage.bytesOut,
    computeMs: details.usage.computeMs,
  };
  const finished = finishedAt.toISOString();

  return {
    type: WEBHOOK_EVENT_TYPES[status],
    timestamp: finished,
    data: {
      jobId: job.id,
      status,
      attempt: job.attempt,
      error,
      outputs: status === 'SUCCEEDED' ? outputs : [],
      usage: status === 'SUCCEEDED' ? usage : null,
      finishedAt: finished,
    },
  };
}
