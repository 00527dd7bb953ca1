import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { freePort } from './free-port.ts';
import { exitOf, spawnTied, stopChild } from './tied-process.ts';
import { waitUntil } from './wait.ts';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  /** The `pixelflow` database on this cluster (replicas create it at start). */
  url: string;
  /** A fast shutdown: sessions are ended, transactions rolled back. */
  stop(): Promise<void>;
  /** Starts the stopped cluster again on the same port and data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A Postgres cluster of this test's own (initdb in a temporary folder, trust
 * auth, a free port), for tests that stop Postgres: the shared one at :5432 is
 * never stopped. initdb and postgres refuse root, so they run as `postgres`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'pixelflow-pg-'));
  const user = process.getuid?.() === 0 ? 'postgres' : undefined;
  if (user) await chown(directory, uid(user, '-u'), uid(user, '-g'));

  const data = join(directory, 'data');
  const initdb = [`-D${data}`, '-Atrust', '-Upostgres', '--no-sync', '-EUTF8', '--locale=C'];
  const init = spawnTied(`${BIN}/initdb`, initdb, { stdio: 'ignore', ...(user ? { user } : {}) });
  await exitOf(init);
  if (init.exitCode !== 0) throw new Error(`initdb failed with code ${init.exitCode}`);

  const url = `postgres://postgres@127.0.0.1:${port}/pixelflow`;
  let server: ChildProcess | null = null;

  async function start() {
    server = spawnTied(`${BIN}/postgres`, [
      '-D', data,
      '-p', String(port),
      '-k', directory,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=60',
    ], { stdio: 'ignore', deathSignal: 'INT', ...(user ? { user } : {}) });
    await waitUntil(() => answers(port), { what: `postgres on port ${port}`, timeoutMs: 20_000 });
  }

  async function stop() {
    if (server) await stopChild(server, 'SIGINT', 20_000);
    server = null;
  }

  await start();
  return {
    url,
    start,
    stop,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function uid(user: string, flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
}

async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    connectionTimeoutMillis: 1000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}
