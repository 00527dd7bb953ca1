import type { Redis } from 'ioredis';

import type { Replica } from './replica.ts';
import { runJob, type JobTiming } from './run-job.ts';
import { round, summarize, sum, type LatencySummary } from './stats.ts';
import { startUsageMeter, type Usage } from './usage-meter.ts';

export interface WholePathOptions {
  replica: Replica;
  redis: Redis;
  outputs: readonly object[];
  /** Sources, used round-robin; `megapixels` of each for the MP/s figure. */
  sources: { bytes: Uint8Array<ArrayBuffer>; megapixels: number }[];
  /** Clients running jobs back to back: enough to keep the pool busy. */
  clients: number;
  warmup: number;
  jobs: number;
  jobTimeoutMs: number;
}

export interface WholePathResult {
  clients: number;
  jobs: number;
  failed: number;
  jobsPerSecond: number;
  megapixelsPerSecond: number;
  startToTerminalMs: LatencySummary;
  /** Mean client-side wall time of each step, in ms. */
  stepsMeanMs: Record<'create' | 'upload' | 'subscribe' | 'startJob', number>;
  usage: Usage;
  /**
   * CPU per job of the replica, Postgres and Redis together: not the client,
   * nor the object store (a separate service in a deployment; `cpuMsPerJob.storage`).
   */
  serverCpuMsPerJob: number;
  cpuMsPerJob: Record<'replica' | 'postgres' | 'redis' | 'storage' | 'client', number>;
}

/** Runs `count` jobs on `clients` closed-loop clients; returns each job's timing or error. */
async function drive(options: WholePathOptions, count: number) {
  const timings: JobTiming[] = [];
  const errors: string[] = [];
  let megapixels = 0;
  let next = 0;
  const client = async () => {
    for (let i = next++; i < count; i = next++) {
      const source = options.sources[i % options.sources.length];
      if (!source) throw new Error('no sources');
      try {
        const timing = await runJob(
          options.replica.graphqlUrl, options.outputs, source.bytes, options.jobTimeoutMs,
        );
        if (timing.status === 'SUCCEEDED') timings.push(timing);
        else errors.push(`ended ${timing.status}`);
        megapixels += source.megapixels;
      } catch (error: unknown) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return { timings, errors, megapixels };
}

/** The whole job path at saturation, measured on the server side too. */
export async function measureWholePath(options: WholePathOptions): Promise<WholePathResult> {
  await drive(options, options.warmup);

  const meter = await startUsageMeter(options.replica, options.redis);
  const { timings, errors, megapixels } = await drive(options, options.jobs);
  const usage = await meter.stop();
  if (errors.length > 0) {
    process.stderr.write(`whole path: ${errors.length} failed, first: ${errors[0]}\n`);
  }

  const jobs = options.jobs;
  const perJob = (ms: number) => round(ms / jobs, 2);
  const mean = (pick: (t: JobTiming) => number) => round(sum(timings.map(pick)) / timings.length);
  return {
    clients: options.clients,
    jobs,
    failed: errors.length,
    jobsPerSecond: round(timings.length / usage.seconds, 3),
    megapixelsPerSecond: round(megapixels / usage.seconds, 1),
    startToTerminalMs: summarize(timings.map((t) => t.startToTerminalMs)),
    stepsMeanMs: {
      create: mean((t) => t.createMs),
      upload: mean((t) => t.uploadMs),
      subscribe: mean((t) => t.subscribeMs),
      startJob: mean((t) => t.startJobMs),
    },
    usage,
    serverCpuMsPerJob: perJob(usage.replicaCpuMs + usage.postgresCpuMs + usage.redisCpuMs),
    cpuMsPerJob: {
      replica: perJob(usage.replicaCpuMs),
      postgres: perJob(usage.postgresCpuMs),
      redis: perJob(usage.redisCpuMs),
      storage: perJob(usage.storageCpuMs),
      client: perJob(usage.clientCpuMs),
    },
  };
}
