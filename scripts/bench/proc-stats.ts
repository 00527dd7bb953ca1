import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Readers of Linux's /proc: CPU and memory of processes this benchmark did
 * not necessarily start (the replica, Postgres backends), without a sampler
 * inside them.
 */

const CLOCK_TICKS = readClockTicks();

function readClockTicks(): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
}

/** A /proc file, or null when its process or thread has exited meanwhile. */
function readProc(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return null;
    throw error;
  }
}

/** The fields after the command name, which may itself hold spaces and parentheses. */
function statFields(path: string): string[] | null {
  const text = readProc(path);
  return text === null ? null : text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** User + system CPU of a process (all its threads) or of one thread, in ms. */
export function cpuMsOf(statPath: string): number {
  const fields = statFields(statPath);
  if (fields === null) return 0;
  // utime and stime are fields 14 and 15 of stat(5); the slice starts at field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

export const processCpuMs = (pid: number) => cpuMsOf(`/proc/${pid}/stat`);

/** CPU ms of each thread of `pid`, summed by thread name (`node`, `libuv-worker`, …). */
export function threadCpuMs(pid: number): Record<string, number> {
  const byName: Record<string, number> = {};
  if (readProc(`/proc/${pid}/stat`) === null) return byName;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const base = `/proc/${pid}/task/${tid}`;
    const name = readProc(`${base}/comm`)?.trim();
    if (name === undefined) continue;
    const key = tid === String(pid) ? 'main' : name;
    byName[key] = (byName[key] ?? 0) + cpuMsOf(`${base}/stat`);
  }
  return byName;
}

/**
 * CPU ms of every process named `comm` on the machine (e.g. all Postgres
 * backends), with that of its children that have exited and been waited for.
 * A backend whose connection closes mid-phase (pg's pool drops idle ones)
 * would otherwise take its CPU with it, and the phase could read negative;
 * the postmaster that reaps it keeps it in cutime and cstime.
 */
export function cpuMsOfAll(comm: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (readProc(`/proc/${entry}/comm`)?.trim() !== comm) continue;
    const fields = statFields(`/proc/${entry}/stat`);
    if (fields === null) continue;
    // utime, stime, cutime and cstime are fields 14–17 of stat(5).
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    total += (ticks * 1000) / CLOCK_TICKS;
  }
  return total;
}

/** Resident set size of `pid` in MiB, or 0 once it has exited. */
export function rssMiB(pid: number): number {
  const status = readProc(`/proc/${pid}/status`) ?? '';
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

export interface RssSampler {
  /** Stops sampling and returns the largest RSS seen, in MiB. */
  stop(): number;
}

/** Samples the RSS of `pid` every `everyMs`; the peak of a phase, not of the process' life. */
export function sampleRss(pid: number, everyMs = 50): RssSampler {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMiB(pid));
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

/** CPU time all cores spent busy since boot (everything but idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return ((ticks.reduce((a, b) => a + b, 0) - idle) * 1000) / CLOCK_TICKS;
}
