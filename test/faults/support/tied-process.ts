import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

export interface TiedSpawnOptions extends SpawnOptions {
  /** Run as this user (the test runs as root; initdb and postgres refuse root). */
  user?: string;
  /** Sent to the child when the test process dies. Default SIGKILL. */
  deathSignal?: 'KILL' | 'INT' | 'TERM';
}

/**
 * Spawns a process that ends by itself when the test process dies, even from
 * kill -9: setpriv sets the parent-death signal and then execs the command,
 * so the child's pid is the command's own.
 */
export function spawnTied(
  command: string,
  args: string[],
  options: TiedSpawnOptions = {},
): ChildProcess {
  const { user, deathSignal = 'KILL', ...spawnOptions } = options;
  const asUser = user && process.getuid?.() === 0
    ? ['--reuid', user, '--regid', user, '--init-groups']
    : [];
  if (!existsSync(SETPRIV)) {
    if (asUser.length > 0) throw new Error(`${SETPRIV} is needed to run ${command} as ${user}`);
    return spawn(command, args, spawnOptions);
  }
  const prefix = ['--pdeathsig', deathSignal, ...asUser, '--'];
  return spawn(SETPRIV, [...prefix, command, ...args], spawnOptions);
}

/** Resolves when the child has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `signal`, waits up to `timeoutMs`, then SIGKILLs. Safe on an exited child. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGKILL',
  timeoutMs = 15_000,
): Promise<void> {
  const exited = exitOf(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}
