import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';

import { Piscina } from 'piscina';

import type { ProcessResult, ProcessTask } from './task.ts';

export interface ImagePoolOptions {
  /**
   * Worker threads, each decoding one image at a time: the number of jobs in
   * flight. 1–256; on the 2-core reference box 2 already saturates the CPU
   * (perf-notes §2.3). Workers start with the pool and live as long as it.
   */
  threads: number;
  /** How long `close()` lets running jobs finish before it ends them. Default 30 000 ms. */
  closeTimeoutMs?: number;
  /**
   * Errors that belong to no job: a worker that fails between jobs, a close
   * that timed out. Default: ignored. Without a listener piscina would throw
   * them from an event emitter and take the process down.
   */
  onError?: (error: Error) => void;
  /** The worker module. Default: `process-task.ts` beside this file. Tests swap it. */
  workerUrl?: URL;
}

export interface RunOptions {
  /** Aborting ends a running job's worker (piscina replaces it) or unqueues a waiting one. */
  signal?: AbortSignal;
}

export interface ImagePool {
  /**
   * Transfers `task.source`, `task.watermarks` and `task.progressPort` to the
   * worker (detached once a worker takes the job): treat them as gone after this.
   */
  run(task: ProcessTask, options?: RunOptions): Promise<ProcessResult>;
  /** Jobs handed to `run` and not yet settled, queued ones included. */
  busyThreads(): number;
  readonly size: number;
  /** Lets running jobs finish (up to `closeTimeoutMs`), then ends the workers. */
  close(): Promise<void>;
}

const MAX_THREADS = 256;
const DEFAULT_CLOSE_TIMEOUT_MS = 30_000;

/** Rejections of `run` caused by its AbortSignal. */
export function isAbortError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Rejections of `run` because the worker thread died under the job. piscina
 * says so only in the message; the pool tests pin its wording.
 */
export function isWorkerExitError(error: unknown): error is Error {
  return error instanceof Error && error.message.startsWith('worker exited with code');
}

/**
 * The worker is TypeScript, so each thread loads tsx itself: a parent started
 * some other way (vitest, plain node) lends it no loader. Resolved here, not
 * by name, because `--import` resolves bare names from the working directory.
 */
function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function assertThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
}

export function createImagePool(options: ImagePoolOptions): ImagePool {
  assertThreads(options.threads);
  const workerUrl = options.workerUrl ?? new URL('./process-task.ts', import.meta.url);

  const piscina = new Piscina<ProcessTask, ProcessResult>({
    filename: workerUrl.href,
    minThreads: options.threads,
    maxThreads: options.threads,
    // sharp runs one image per worker (concurrency(1)); a second task on the
    // same thread would only queue inside libvips.
    concurrentTasksPerWorker: 1,
    // Workers are persistent: Infinity tells piscina not to arm idle timers.
    idleTimeout: Number.POSITIVE_INFINITY,
    // With the default 'sync', an idle worker blocks in Atomics.wait, and the
    // close of a job's progress port only reaches the dispatcher at the next
    // job. 'async' keeps the worker's event loop turning between jobs.
    atomics: 'async',
    closeTimeout: options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS,
    execArgv: ['--import', tsxLoaderUrl()],
  });
  const onError = options.onError ?? ((): void => {});
  piscina.on('error', onError);

  let inFlight = 0;
  let closing: Promise<void> | null = null;

  async function run(task: ProcessTask, runOptions: RunOptions = {}): Promise<ProcessResult> {
    if (closing !== null) throw new Error('image pool is closed');

    const watermarks = Object.values(task.watermarks ?? {});
    const transferList: TransferListItem[] = [task.source, ...watermarks];
    if (task.progressPort !== undefined) transferList.push(task.progressPort);

    inFlight += 1;
    try {
      return await piscina.run(task, { transferList, signal: runOptions.signal ?? null });
    } finally {
      inFlight -= 1;
    }
  }

  return {
    run,
    busyThreads: () => inFlight,
    size: options.threads,
    close: () => (closing ??= piscina.close()),
  };
}
