import { spawn, type ChildProcess } from 'node:child_process';

import type { BenchEnvironment } from './environment.ts';
import { REDIS_URL } from './environment.ts';
import { REPO_ROOT } from './run-child.ts';

export interface Replica {
  pid: number;
  /** The replica's object store, a process of its own (storage-child.ts). */
  storagePid: number;
  url: string;
  graphqlUrl: string;
  /** The replica's last log lines, for error messages. */
  recentLogs(): string;
  stop(): Promise<void>;
}

const CHILD = new URL('./replica-child.ts', import.meta.url);
const STORAGE_CHILD = new URL('./storage-child.ts', import.meta.url);
const START_TIMEOUT_MS = 60_000;

/**
 * BENCH_CPU_PROF_DIR=<folder> makes every replica write a V8 CPU profile of
 * its main thread there when it stops (open it in Chrome DevTools).
 */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

interface Child {
  pid: number;
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

/** Starts a Node child that prints `{"ready":true,"url":…}` on stdout once it serves. */
async function startChild(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  let logs = '';
  const keep = (chunk: Buffer) => (logs = (logs + chunk.toString()).slice(-8000));
  child.stderr?.on('data', keep);

  const url = await waitForReady(child, keep, () => logs);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid as number,
    url,
    logs: () => logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * Starts a replica as a child process (see replica-child.ts) with production
 * defaults except for its private database, key prefix and storage. Storage
 * runs in a process of its own, as S3 would in a deployment, so the replica's
 * CPU is PixelFlow's alone.
 */
export async function startReplica(
  environment: BenchEnvironment,
  overrides: Record<string, string> = {},
): Promise<Replica> {
  const storage = await startChild(
    ['--import', 'tsx', STORAGE_CHILD.pathname, environment.storageDir],
    {},
  );
  const prefetch = process.env.DISPATCH_PREFETCH;
  let replica: Child;
  try {
    replica = await startChild([...profileArgs(), '--import', 'tsx', CHILD.pathname], {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: environment.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: environment.redisPrefix,
      STORAGE_ENDPOINT: storage.url,
      // The benchmark measures processing, not the per-user limits.
      RATE_LIMIT_CREATE_PER_MINUTE: '0',
      RATE_LIMIT_START_PER_MINUTE: '0',
      // Passed through so a run can try prefetching (off by default).
      ...(prefetch ? { DISPATCH_PREFETCH: prefetch } : {}),
      ...overrides,
    });
  } catch (error: unknown) {
    await storage.stop();
    throw error;
  }
  return {
    pid: replica.pid,
    storagePid: storage.pid,
    url: replica.url,
    graphqlUrl: `${replica.url}/graphql`,
    recentLogs: () => replica.logs(),
    async stop() {
      await replica.stop();
      await storage.stop();
    },
  };
}

function waitForReady(
  child: ChildProcess,
  keep: (chunk: Buffer) => void,
  logs: () => string,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replica not ready within ${START_TIMEOUT_MS} ms: ${logs()}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code} before it was ready: ${logs()}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk);
      for (const line of chunk.toString().split('\n')) {
        if (!line.includes('"ready":true')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
  });
}
