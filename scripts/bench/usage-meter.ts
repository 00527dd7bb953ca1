import type { Redis } from 'ioredis';

import { redisCpuMs } from './environment.ts';
import { cpuMsOfAll, machineBusyMs, processCpuMs, sampleRss, threadCpuMs } from './proc-stats.ts';
import { round, sum } from './stats.ts';

/** CPU and memory of every process on the job path over one phase of the benchmark. */
export interface Usage {
  seconds: number;
  /** The replica process: API, dispatcher and its sharp worker threads. */
  replicaCpuMs: number;
  /** The replica's CPU by thread: `main` is the event loop (GraphQL, dispatcher, S3 client). */
  replicaThreadsCpuMs: Record<string, number>;
  /** Every Postgres process on the machine (backends of this run, and any others). */
  postgresCpuMs: number;
  /** The Redis server (shared: includes other clients, if any). */
  redisCpuMs: number;
  /** The object store's process (an S3 stand-in: MinIO or S3 would be elsewhere). */
  storageCpuMs: number;
  /** This benchmark process: the load generator and the clients. */
  clientCpuMs: number;
  /** Busy CPU of the whole machine not accounted for above: other work on the box. */
  otherCpuMs: number;
  replicaPeakRssMiB: number;
}

export interface UsageMeter {
  stop(): Promise<Usage>;
}

export async function startUsageMeter(
  replica: { pid: number; storagePid: number },
  redis: Redis,
): Promise<UsageMeter> {
  const rss = sampleRss(replica.pid);
  const before = await snapshot(replica, redis);
  return {
    async stop() {
      const after = await snapshot(replica, redis);
      const peak = rss.stop();
      const delta = (key: keyof Snapshot) => (after[key] as number) - (before[key] as number);
      const ours = ['replica', 'storage', 'postgres', 'redis', 'client'] as const;
      const threads: Record<string, number> = {};
      for (const [name, ms] of Object.entries(after.threads)) {
        threads[name] = round(ms - (before.threads[name] ?? 0), 0);
      }
      return {
        seconds: round(delta('at') / 1000, 3),
        replicaCpuMs: round(delta('replica'), 0),
        replicaThreadsCpuMs: threads,
        postgresCpuMs: round(delta('postgres'), 0),
        redisCpuMs: round(delta('redis'), 0),
        storageCpuMs: round(delta('storage'), 0),
        clientCpuMs: round(delta('client'), 0),
        otherCpuMs: round(Math.max(0, delta('machine') - sum(ours.map(delta))), 0),
        replicaPeakRssMiB: round(peak, 1),
      };
    },
  };
}

interface Snapshot {
  at: number;
  replica: number;
  storage: number;
  threads: Record<string, number>;
  postgres: number;
  redis: number;
  client: number;
  machine: number;
}

async function snapshot(
  { pid, storagePid }: { pid: number; storagePid: number },
  redis: Redis,
): Promise<Snapshot> {
  const cpu = process.cpuUsage();
  return {
    at: performance.now(),
    replica: processCpuMs(pid),
    storage: processCpuMs(storagePid),
    threads: threadCpuMs(pid),
    postgres: cpuMsOfAll('postgres'),
    redis: await redisCpuMs(redis),
    client: (cpu.user + cpu.system) / 1000,
    machine: machineBusyMs(),
  };
}
