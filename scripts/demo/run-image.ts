import { readFile } from 'node:fs/promises';

import { checkOutputs } from './check-outputs.ts';
import { describeError } from './describe-error.ts';
import { readUprightSize } from './image-size.ts';
import type { ImageOutcome, ImageResult } from './image-result.ts';
import { isTerminal, type Job, type JobApi } from './job-api.ts';
import type { CorpusEntry } from './manifest.ts';
import { uploadSource } from './upload-source.ts';

export interface RunImageOptions {
  api: JobApi;
  corpus: URL;
  /** Longest the image may take from createJob to its terminal event. */
  timeoutMs: number;
}

/** What the run learnt so far; read after a timeout to say where it stopped. */
interface Trace {
  jobId: string | null;
  last: Job | null;
}

/** One image through the API as a user would send it, then its outputs checked. */
export async function runImage(entry: CorpusEntry, options: RunImageOptions): Promise<ImageResult> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await readFile(new URL(entry.file, options.corpus)));
  } catch (error: unknown) {
    const message = `cannot read the corpus file: ${describeError(error)}`;
    const outcome: ImageOutcome = { kind: 'broken', message };
    return { ...NOTHING_SENT, entry, outcome };
  }
  return pushAndCheck(entry, bytes, options);
}

const NOTHING_SENT = {
  jobId: null,
  fileBytes: 0,
  sourceFormat: null,
  sourceBytes: null,
  problems: [],
  elapsedMs: 0,
};

async function pushAndCheck(
  entry: CorpusEntry,
  bytes: Uint8Array<ArrayBuffer>,
  options: RunImageOptions,
): Promise<ImageResult> {
  const trace: Trace = { jobId: null, last: null };
  const signal = AbortSignal.timeout(options.timeoutMs);

  const started = performance.now();
  const outcome = await pushImage(options.api, bytes, trace, signal).catch(
    (error: unknown): ImageOutcome => {
      if (signal.aborted) return { kind: 'timed-out', lastStatus: trace.last?.status ?? null };
      return { kind: 'broken', message: describeError(error) };
    },
  );
  const elapsedMs = performance.now() - started;

  const succeeded = outcome.kind === 'finished' && outcome.job.status === 'SUCCEEDED';
  const problems = succeeded
    ? await checkOutputs(entry.file, outcome.job, await readUprightSize(bytes))
    : [];
  const source = trace.last?.source;
  return {
    entry,
    jobId: trace.jobId,
    fileBytes: bytes.byteLength,
    sourceFormat: source?.format ?? (outcome.kind === 'rejected' ? outcome.detectedFormat : null),
    sourceBytes: source?.bytes ?? null,
    outcome,
    problems,
    elapsedMs,
  };
}

/**
 * createJob, upload, subscribe, startJob, then follow to the end. The first
 * event is the job as it is now, sent once the server listens for changes:
 * startJob waits for it so no change can come before the subscription.
 */
async function pushImage(
  api: JobApi,
  bytes: Uint8Array<ArrayBuffer>,
  trace: Trace,
  signal: AbortSignal,
): Promise<ImageOutcome> {
  const { job, upload } = await api.createJob(signal);
  trace.jobId = job.id;
  trace.last = job;
  await uploadSource(upload, bytes, signal);

  const events = api.followJob(job.id, signal);
  try {
    const first = await events.next();
    if (first.done === true) throw new Error('jobProgress completed before its first event');
    trace.last = first.value;

    const started = await api.startJob(job.id, signal);
    if (started.kind === 'rejected') {
      const { code, message, detectedFormat } = started.error;
      return { kind: 'rejected', code, message, detectedFormat };
    }

    let last = first.value;
    for await (const next of events) {
      last = next;
      trace.last = next;
    }
    if (!isTerminal(last.status)) {
      throw new Error(`jobProgress completed while the job was ${last.status}`);
    }
    return { kind: 'finished', job: last };
  } finally {
    await events.return(undefined);
  }
}
