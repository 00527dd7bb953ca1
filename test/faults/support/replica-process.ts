import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { exitOf, spawnTied, stopChild } from './tied-process.ts';
import { waitUntil } from './wait.ts';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));

/** One pino line of a replica's log. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  replica?: string;
  jobId?: string;
  attempt?: number;
  [field: string]: unknown;
}

export interface ReplicaProcess {
  name: string;
  pid: number;
  /** How this replica names itself in job history (`jobs.transition_replica`). */
  replicaId: string;
  url: string;
  graphqlUrl: string;
  logFile: string;
  /** When the process exited (Date.now()), or null while it runs. */
  exitedAt(): number | null;
  /** How it exited: its code, or the signal that ended it. */
  exitStatus(): string | null;
  exited: Promise<void>;
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL unless it has already gone; safe to call twice. */
  stop(): Promise<void>;
  logs(): Promise<LogLine[]>;
}

export interface StartReplicaOptions {
  name: string;
  env: Record<string, string>;
  logDir: string;
}

/**
 * Starts a replica as production runs it, `node --import tsx src/main.ts`, in
 * its own process with its own environment, its log (JSON lines) written to
 * a file. Resolves once it logs that it is ready and /readyz agrees.
 */
export async function startReplica(options: StartReplicaOptions): Promise<ReplicaProcess> {
  const logFile = join(options.logDir, `${options.name}-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawnTied(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: REPOSITORY,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
  let exitedAt: number | null = null;
  let exitStatus: string | null = null;
  child.once('exit', (code, signal) => {
    exitedAt = Date.now();
    exitStatus = signal ?? String(code);
  });
  const exited = exitOf(child);
  const logs = () => readLog(logFile);

  try {
    const ready = await waitUntil(
      async () => (await logs()).find((line) => line.msg === 'pixelflow ready'),
      {
        what: `replica ${options.name} to start`,
        timeoutMs: 60_000,
        failWhen: () => (exitedAt === null ? null : 'it exited'),
      },
    );
    const graphqlUrl = String(ready.url);
    const url = graphqlUrl.replace(/\/graphql$/, '');
    await waitUntil(async () => (await fetch(`${url}/readyz`)).ok, {
      what: `replica ${options.name} to be ready`,
      timeoutMs: 20_000,
      failWhen: () => (exitedAt === null ? null : 'it exited'),
    });
    return {
      name: options.name,
      pid: child.pid ?? -1,
      replicaId: String(ready.replica),
      url,
      graphqlUrl,
      logFile,
      exitedAt: () => exitedAt,
      exitStatus: () => exitStatus,
      exited,
      signal: (signal) => child.kill(signal),
      stop: () => stopChild(child, 'SIGKILL'),
      logs,
    };
  } catch (error: unknown) {
    await stopChild(child, 'SIGKILL');
    const tail = (await readFile(logFile, 'utf8').catch(() => '')).slice(-2000);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tail}`);
  }
}

async function readLog(file: string): Promise<LogLine[]> {
  const text = await readFile(file, 'utf8');
  const lines: LogLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      // A line cut short by kill -9.
    }
  }
  return lines;
}
