import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './free-port.ts';
import { spawnTied, stopChild } from './tied-process.ts';
import { waitUntil } from './wait.ts';

export interface PrivateRedis {
  port: number;
  url: string;
  /** kill -9, then a fresh server on the same port: every key is gone. */
  restartEmpty(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A redis-server of this test's own on a free port, keeping nothing on disk,
 * so a test may kill or cut it off without touching the shared one.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const directory = await mkdtemp(join(tmpdir(), 'pixelflow-redis-'));
  let server = await launch(port, directory);

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restartEmpty() {
      await stopChild(server, 'SIGKILL');
      server = await launch(port, directory);
    },
    async close() {
      await stopChild(server, 'SIGKILL');
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function launch(port: number, directory: string): Promise<ChildProcess> {
  const server = spawnTied('redis-server', [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', directory,
    '--logfile', join(directory, 'redis.log'),
  ], { stdio: 'ignore' });
  await waitUntil(() => ping(port), { what: `redis on port ${port}`, timeoutMs: 10_000 });
  return server;
}

/** One PING over a raw socket: true on PONG, false on anything else. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.write('PING\r\n');
  });
}
