import { spawn, type ChildProcess } from 'node:child_process';

import type { BenchEnvironment } from './environment.ts';
import { REDIS_URL } from './environment.ts';
import { REPO_ROOT } from './run-child.ts';

export interface Replica {
  pid: number;
  url: string;
  graphqlUrl: string;
  /** The replica's last log lines, for error messages. */
  recentLogs(): string;
  stop(): Promise<void>;
}

const CHILD = new URL('./replica-child.ts', import.meta.url);
const START_TIMEOUT_MS = 60_000;

/**
 * Starts a replica as a child process (see replica-child.ts) with production
 * defaults except for its private database, key prefix and storage folder.
 */
export async function startReplica(
  environment: BenchEnvironment,
  overrides: Record<string, string> = {},
): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD.pathname], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      DATABASE_URL: environment.databaseUrl,
      REDIS_URL,
      REDIS_KEY_PREFIX: environment.redisPrefix,
      STORAGE_EMBEDDED_PORT: '0',
      STORAGE_EMBEDDED_DIR: environment.storageDir,
      // The benchmark measures processing, not the per-user limits.
      RATE_LIMIT_CREATE_PER_MINUTE: '0',
      RATE_LIMIT_START_PER_MINUTE: '0',
      ...overrides,
    },
  });
  let logs = '';
  const keep = (chunk: Buffer) => (logs = (logs + chunk.toString()).slice(-8000));
  child.stderr?.on('data', keep);

  const url = await waitForReady(child, keep, () => logs);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid as number,
    url,
    graphqlUrl: `${url}/graphql`,
    recentLogs: () => logs,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(killer);
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
