import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';

import { ObjectMissingError, ObjectTooLargeError, type Storage } from '../infra/storage.ts';
import type { JobOutputRow, JobRow } from '../infra/tables.ts';
import type { Logger } from '../logger.ts';
import type { Metrics, JobOutcome } from '../metrics.ts';
import { isWorkerExitError } from '../pool/create-pool.ts';
import type { ProcessResult, ProcessTask } from '../pool/task.ts';
import { LeaseLostError, type Lease, type LeasedQueue } from '../queue/leased-queue.ts';
import type { JobErrorCode } from './job-error-code.ts';
import type { JobEvents } from './job-events.ts';
import type { JobSnapshot } from './job-snapshot.ts';
import type { JobTransitions, StoredOutput } from './job-transitions.ts';
import { readWatermarks, watermarkAssets } from './watermark-assets.ts';
import { inJobSpan, jobStep, recordJobError } from './job-spans.ts';
import { storeOutputs } from './store-outputs.ts';
import { writeThroughOutage } from './write-through-outage.ts';

export interface JobRunOptions {
  leaseMs: number;
  /** How often a running job's lease is renewed; shorter than leaseMs. */
  renewMs: number;
  maxAttempts: number;
  /** Attempts that may die with their worker thread or process before the job fails. */
  maxCrashes: number;
  /** First retry delay; doubles with each attempt, with jitter. */
  retryBaseMs: number;
  jobTimeoutMs: number;
  maxInputPixels: number;
  maxOutputPixels: number;
  maxFrames: number;
  maxJobOutputPixels: number;
  /**
   * Checked again here: an upload grant stays valid after startJob, so the
   * object read now may not be the one startJob checked.
   */
  maxSourceBytes: number;
}

interface JobRunDeps extends JobRunOptions {
  queue: LeasedQueue;
  transitions: JobTransitions;
  events: JobEvents;
  storage: Storage;
  pool: { run(task: ProcessTask, options: { signal: AbortSignal }): Promise<ProcessResult> };
  metrics: Metrics;
  logger: Logger;
}

/** The abort reason when this replica shuts down before the job could finish. */
export class HandBackSignal extends Error {
  constructor() {
    super('replica shutting down');
    this.name = 'HandBackSignal';
  }
}

/** The abort reason when a client canceled the job while it ran here. */
export class JobCanceledSignal extends Error {
  constructor() {
    super('job canceled');
    this.name = 'JobCanceledSignal';
  }
}

/**
 * Runs one leased job to an outcome: claim it in Postgres, keep the lease
 * alive, process it in the pool, store the outputs and write the terminal
 * state, fenced by the attempt. `stopped` is aborted with JobCanceledSignal
 * when the client cancels the job, or with HandBackSignal when this replica
 * shuts down.
 */
export async function runJob(lease: Lease, stopped: AbortSignal, deps: JobRunDeps) {
  const { queue, transitions, metrics } = deps;
  const claim = await transitions.claim(lease.jobId, deps.leaseMs, deps);

  if (claim.kind === 'gone') {
    await queue.acknowledge(lease);
    return;
  }
  if (claim.kind === 'lease-live') {
    await queue.retryLater(lease, claim.until.getTime() - Date.now());
    return;
  }
  if (claim.kind === 'exhausted') {
    await queue.acknowledge(lease);
    metrics.recordOutcome('failed', 0);
    await publish(deps, { job: claim.job, outputs: [], outputsDone: 0 });
    return;
  }

  const job = claim.job;
  const logger = deps.logger.child({ jobId: job.id, attempt: job.attempt });
  const started = performance.now();
  await publish(deps, { job, outputs: [], outputsDone: 0 });

  const leaseLost = new AbortController();
  const timedOut = AbortSignal.timeout(deps.jobTimeoutMs);
  const signal = AbortSignal.any([stopped, leaseLost.signal, timedOut]);
  let missingFromRedis = false;
  const renewal = setInterval(() => {
    renew(lease, job, deps).then(
      (held) => {
        if (held === 'lost') leaseLost.abort(new LeaseLostError(lease));
        if (held === 'in-postgres-only' && !missingFromRedis) {
          missingFromRedis = true;
          logger.warn('lease missing from Redis; Postgres still holds the job, so it runs on');
        }
      },
      (error: unknown) => logger.warn({ err: error }, 'lease renewal failed'),
    );
  }, deps.renewMs);

  const outcome = await inJobSpan(job, async () => {
    try {
      return await processJob(job, signal, deps, logger);
    } catch (error: unknown) {
      const signals = { stopped, timedOut, signal };
      return await handleInterruption(job, lease, error, signals, deps, logger);
    } finally {
      clearInterval(renewal);
    }
  });

  if (outcome !== 'retried') await queue.acknowledge(lease);
  metrics.recordOutcome(outcome, (performance.now() - started) / 1000);
}

/**
 * Renews the lease in Redis, then its mirror in Postgres, which decides. When
 * Redis no longer knows the lease (restarted empty, or it lapsed there) but
 * this attempt still holds the job in Postgres, no replica can have claimed
 * it since, so the job runs on rather than being thrown away and counted as a
 * crash. A Redis that cannot be reached at all renews nothing: the lease then
 * lapses in Postgres too, for a replica that can reach Redis to take over.
 */
async function renew(
  lease: Lease,
  job: JobRow,
  deps: JobRunDeps,
): Promise<'held' | 'in-postgres-only' | 'lost'> {
  let inRedis = true;
  try {
    await deps.queue.renew(lease);
  } catch (error: unknown) {
    if (!(error instanceof LeaseLostError)) throw error;
    inRedis = false;
  }
  const held = await deps.transitions.renewLease(job.id, job.attempt, deps.leaseMs);
  if (!held) return 'lost';
  return inRedis ? 'held' : 'in-postgres-only';
}

async function processJob(
  job: JobRow,
  signal: AbortSignal,
  deps: JobRunDeps,
  logger: Logger,
): Promise<JobOutcome> {
  const source = await jobStep('job.source.download', () => readSource(job, deps));
  if (!(source instanceof ArrayBuffer)) {
    return failJob(job, source.code, source.message, signal, deps, logger);
  }
  const bytesIn = source.byteLength;
  // One read per distinct asset, however many outputs use it.
  const watermarks = await readWatermarks(deps.storage, job.owner, watermarkAssets(job.outputs));
  if (!watermarks.ok) {
    return failJob(job, watermarks.code, watermarks.message, signal, deps, logger);
  }

  const progress = new MessageChannel();
  let outputsDone = 0;
  progress.port1.on('message', () => {
    outputsDone += 1;
    void publish(deps, { job, outputs: [], outputsDone });
  });

  const computeStarted = performance.now();
  let result: ProcessResult;
  try {
    const task: ProcessTask = {
      source,
      outputs: job.outputs,
      limits: {
        maxInputPixels: deps.maxInputPixels,
        maxOutputPixels: deps.maxOutputPixels,
        maxFrames: deps.maxFrames,
        maxJobOutputPixels: deps.maxJobOutputPixels,
      },
      progressPort: progress.port2,
      placeholders: job.placeholders,
      watermarks: watermarks.images,
    };
    result = await jobStep('job.pool.process', () => deps.pool.run(task, { signal }));
  } finally {
    progress.port1.close();
  }
  const computeMs = Math.round(performance.now() - computeStarted);

  if (!result.ok) return failJob(job, result.code, result.message, signal, deps, logger);

  signal.throwIfAborted();
  const stored = await jobStep('job.outputs.upload', () =>
    storeOutputs(deps.storage, job.id, result.outputs));

  const usage = {
    pixelsProcessed: result.pixelsProcessed,
    bytesIn,
    bytesOut: stored.reduce((sum, output) => sum + output.bytes, 0),
    computeMs,
  };
  const succeeded = await jobStep('job.terminal.write', () =>
    writeThroughOutage(
      () => deps.transitions.succeed(job.id, job.attempt, stored, usage, result.placeholder),
      signal,
    ),
  );
  if (!succeeded) {
    await discardRefusedOutputs(job, stored, deps, logger);
    return 'canceled';
  }

  logger.info({ ...usage, outputs: stored.length }, 'job succeeded');
  const outputs: JobOutputRow[] = stored.map((output) => ({ jobId: job.id, ...output }));
  await publish(deps, { job: succeeded, outputs, outputsDone: outputs.length });
  return 'succeeded';
}

async function readSource(
  job: JobRow,
  deps: JobRunDeps,
): Promise<ArrayBuffer | { code: JobErrorCode; message: string }> {
  try {
    const source = await deps.storage.read(job.sourceKey, deps.maxSourceBytes);
    if (source.byteLength === 0) {
      return { code: 'SOURCE_EMPTY', message: 'the source is now empty; was it replaced?' };
    }
    return source;
  } catch (error: unknown) {
    if (error instanceof ObjectTooLargeError) {
      const message = `the source is now over ${deps.maxSourceBytes} bytes; was it replaced?`;
      return { code: 'SOURCE_TOO_LARGE', message };
    }
    if (error instanceof ObjectMissingError) {
      return { code: 'SOURCE_MISSING', message: 'the source was deleted before processing' };
    }
    throw error;
  }
}

async function failJob(
  job: JobRow,
  code: JobErrorCode,
  message: string,
  signal: AbortSignal,
  deps: JobRunDeps,
  logger: Logger,
): Promise<JobOutcome> {
  recordJobError(code, message);
  const failed = await jobStep('job.terminal.write', () =>
    writeThroughOutage(() => deps.transitions.fail(job.id, job.attempt, code, message), signal),
  );
  if (!failed) {
    logger.warn({ code }, 'terminal write refused: attempt no longer current');
    return 'failed';
  }
  logger.info({ code }, 'job failed');
  await publish(deps, { job: failed, outputs: [], outputsDone: 0 });
  return 'failed';
}

/**
 * The success write matched no row: the job was canceled meanwhile, or this
 * attempt lost its lease. Outputs of a canceled job are deleted; those of a
 * superseded attempt stay, since the winning attempt wrote the same keys.
 */
async function discardRefusedOutputs(
  job: JobRow,
  stored: StoredOutput[],
  deps: JobRunDeps,
  logger: Logger,
) {
  const current = await deps.transitions.current(job.id);
  logger.warn({ status: current?.status }, 'terminal write refused: attempt no longer current');
  if (current?.status === 'CANCELED') {
    await deps.storage.remove(stored.map((output) => output.storageKey));
  }
}

async function handleInterruption(
  job: JobRow,
  lease: Lease,
  error: unknown,
  signals: { stopped: AbortSignal; timedOut: AbortSignal; signal: AbortSignal },
  deps: JobRunDeps,
  logger: Logger,
): Promise<JobOutcome> {
  if (signals.stopped.reason instanceof HandBackSignal) {
    // Straight back to the queue, for another replica to take now rather
    // than after the lease expires.
    const requeued = await deps.transitions.retry(job.id, job.attempt, {
      message: 'handed back by a replica shutting down',
      delayMs: 0,
      crashed: false,
    });
    if (requeued) {
      await deps.queue.retryLater(lease, 0);
      await deps.events.announceReady();
      await publish(deps, { job: requeued, outputs: [], outputsDone: 0 });
    }
    logger.info('job handed back at shutdown');
    return 'retried';
  }
  if (signals.stopped.aborted) {
    logger.info('job canceled while processing');
    return 'canceled';
  }
  if (signals.timedOut.aborted) {
    const message = `processing took longer than ${deps.jobTimeoutMs} ms`;
    const failed = await deps.transitions.fail(job.id, job.attempt, 'TIMEOUT', message);
    if (failed) await publish(deps, { job: failed, outputs: [], outputsDone: 0 });
    logger.warn('job timed out');
    return 'failed';
  }
  if (signals.signal.aborted) {
    logger.warn('lease lost while processing; leaving the job to its new holder');
    return 'retried';
  }

  // Storage or database unreachable, or the worker thread died: try again
  // later, unless this job has now crashed its worker too often.
  const crashed = isWorkerExitError(error);
  logger.error({ err: error, crashed }, 'job attempt failed; will retry');
  const message = error instanceof Error ? error.message : String(error);
  if (crashed && job.crashes + 1 > deps.maxCrashes) {
    const reason = `its processing crashed ${job.crashes + 1} times: ${message}`;
    const failed = await deps.transitions.fail(job.id, job.attempt, 'WORKER_CRASHED', reason, {
      crashed: true,
    });
    if (failed) await publish(deps, { job: failed, outputs: [], outputsDone: 0 });
    return 'failed';
  }

  const backoff = deps.retryBaseMs * 2 ** (job.attempt - 1);
  const delayMs = backoff / 2 + Math.random() * backoff;
  const requeued = await writeThroughOutage(
    () => deps.transitions.retry(job.id, job.attempt, { message, delayMs, crashed }),
    signals.signal,
  ).catch(() => null);
  if (!requeued) return 'retried';

  await deps.queue.retryLater(lease, delayMs);
  await publish(deps, { job: requeued, outputs: [], outputsDone: 0 });
  return 'retried';
}

/** Events are best effort: a subscriber that misses one still gets the next. */
async function publish(deps: JobRunDeps, snapshot: JobSnapshot): Promise<void> {
  try {
    await deps.events.publish(snapshot);
  } catch (error: unknown) {
    deps.logger.warn({ err: error, jobId: snapshot.job.id }, 'job event not published');
  }
}
