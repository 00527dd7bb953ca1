import { SpanStatusCode, trace } from '@opentelemetry/api';

import type { JobRow } from '../infra/tables.ts';
import type { JobOutcome } from '../metrics.ts';
import { contextFromTraceParent, inSpan } from '../tracing.ts';
import type { JobErrorCode } from './job-error-code.ts';

/**
 * Runs one attempt of a job in a `job.process` span. The span is a child of
 * the startJob request that queued the job (its `traceparent` is stored with
 * the job), so a trace shows the request and every attempt of its job, on
 * whichever replica each ran. A failed job's span has error status.
 */
export function inJobSpan(job: JobRow, work: () => Promise<JobOutcome>): Promise<JobOutcome> {
  const attributes = {
    'pixelflow.job.id': job.id,
    'pixelflow.job.attempt': job.attempt,
    'pixelflow.job.outputs': job.outputs.length,
  };
  const parent = contextFromTraceParent(job.traceContext);
  return inSpan(
    'job.process',
    attributes,
    async (span) => {
      const outcome = await work();
      span.setAttribute('pixelflow.job.outcome', outcome);
      if (outcome === 'failed') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'job failed' });
      }
      return outcome;
    },
    parent,
  );
}

/** One step of an attempt (source download, pool processing, …) as a child span. */
export function jobStep<T>(name: string, work: () => Promise<T>): Promise<T> {
  return inSpan(name, {}, work);
}

/** Names why the attempt failed on its `job.process` span. */
export function recordJobError(code: JobErrorCode, message: string) {
  const span = trace.getActiveSpan();
  span?.setAttribute('pixelflow.job.error_code', code);
  span?.setAttribute('pixelflow.job.error_message', message);
}
