import { readFileSync } from 'node:fs';

import { request } from '../bench/graphql.ts';
import { TERMINAL, createJob, startJob, uploadSource } from '../bench/job-api.ts';
import { processCpuMs, rssMiB, sampleRss } from '../bench/proc-stats.ts';
import type { MemoryJob, Scenario } from './scenarios.ts';

export interface ScenarioResult {
  name: string;
  about: string;
  jobs: number;
  clients: number;
  /** Jobs by how they ended: SUCCEEDED, FAILED:<code>, or REFUSED (by startJob). */
  outcomes: Record<string, number>;
  /** The replica's RSS before the first job of the scenario. */
  startRssMiB: number;
  /** Largest RSS sampled every 50 ms while the scenario ran. */
  peakRssMiB: number;
  /** The kernel's high-water mark (VmHWM) for the replica's life so far. */
  highWaterMiB: number;
  seconds: number;
  replicaCpuSeconds: number;
}

const READ_JOB = 'query ($id: ID!) { job(id: $id) { status error { code } } }';
const POLL_MS = 100;
const JOB_DEADLINE_MS = 15 * 60_000;

/** The kernel's record of the largest RSS `pid` has had, in MiB. */
export function highWaterMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** createJob, upload, startJob, then poll until the job ends: the outcome key. */
async function runOne(graphqlUrl: string, job: MemoryJob): Promise<string> {
  const created = await createJob(graphqlUrl, job.outputs);
  await uploadSource(created.upload, job.source);
  try {
    await startJob(graphqlUrl, created.id);
  } catch {
    return 'REFUSED';
  }

  const deadline = Date.now() + JOB_DEADLINE_MS;
  for (;;) {
    const { job: state } = await request<{
      job: { status: string; error: { code: string } | null };
    }>(graphqlUrl, READ_JOB, { id: created.id });
    if (TERMINAL.has(state.status)) {
      return state.error === null ? state.status : `${state.status}:${state.error.code}`;
    }
    if (Date.now() > deadline) throw new Error(`${job.label}: still ${state.status}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Runs every job of the scenario with `clients` at once, sampling the replica's memory. */
export async function runScenario(
  replica: { pid: number; graphqlUrl: string },
  scenario: Scenario,
  log: (line: string) => void,
): Promise<ScenarioResult> {
  const startRssMiB = rssMiB(replica.pid);
  const sampler = sampleRss(replica.pid, 50);
  const cpuBefore = processCpuMs(replica.pid);
  const started = performance.now();

  const outcomes: Record<string, number> = {};
  const queue = [...scenario.jobs];
  const lane = async (): Promise<void> => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const outcome = await runOne(replica.graphqlUrl, job);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (outcome !== 'SUCCEEDED') log(`  ${job.label}: ${outcome}`);
    }
  };
  await Promise.all(Array.from({ length: scenario.clients }, lane));

  const peakRssMiB = sampler.stop();
  return {
    name: scenario.name,
    about: scenario.about,
    jobs: scenario.jobs.length,
    clients: scenario.clients,
    outcomes,
    startRssMiB: Math.round(startRssMiB),
    peakRssMiB: Math.round(peakRssMiB),
    highWaterMiB: Math.round(highWaterMiB(replica.pid)),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    replicaCpuSeconds: Math.round((processCpuMs(replica.pid) - cpuBefore) / 100) / 10,
  };
}
