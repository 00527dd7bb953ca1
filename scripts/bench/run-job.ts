import { subscribeSse } from './graphql.ts';
import {
  FOLLOW_JOB,
  TERMINAL,
  createJob,
  startJob,
  uploadSource,
  type ProgressEvent,
} from './job-api.ts';

/** Where one job's wall time went, as its client saw it, in ms. */
export interface JobTiming {
  createMs: number;
  uploadMs: number;
  /** Subscribing until the first event (the job's current state) arrived. */
  subscribeMs: number;
  startJobMs: number;
  /** From sending startJob to reading the terminal event: the latency users wait for. */
  startToTerminalMs: number;
  status: string;
  outputs: number;
}

/**
 * One job the way a user runs it: createJob, upload through the presigned
 * URL, subscribe to jobProgress, startJob once the first event is in (so no
 * change can be missed), then read events until the terminal one.
 */
export async function runJob(
  graphqlUrl: string,
  outputs: readonly object[],
  source: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
): Promise<JobTiming> {
  const signal = AbortSignal.timeout(timeoutMs);
  const t0 = performance.now();
  const job = await createJob(graphqlUrl, outputs);
  const t1 = performance.now();
  await uploadSource(job.upload, source);
  const t2 = performance.now();

  const events = subscribeSse<ProgressEvent>(graphqlUrl, FOLLOW_JOB, { id: job.id }, signal);
  try {
    const first = await events.next();
    if (first.done === true) throw new Error('jobProgress ended before its first event');
    const t3 = performance.now();
    await startJob(graphqlUrl, job.id);
    const t4 = performance.now();

    let last = first.value.data.jobProgress;
    let t5 = Number.NaN;
    // Read on to `complete`, which the server sends right after the terminal event.
    for await (const event of events) {
      last = event.data.jobProgress;
      if (TERMINAL.has(last.status) && Number.isNaN(t5)) t5 = performance.now();
    }
    if (!TERMINAL.has(last.status)) throw new Error(`job ${job.id} ended ${last.status}`);
    return {
      createMs: t1 - t0,
      uploadMs: t2 - t1,
      subscribeMs: t3 - t2,
      startJobMs: t4 - t3,
      startToTerminalMs: t5 - t3,
      status: last.status,
      outputs: last.outputs.length,
    };
  } finally {
    await events.return(undefined);
  }
}
