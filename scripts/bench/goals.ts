import type { CeilingSweep } from './ceiling.ts';
import type { QueueComparison } from './queue-bench.ts';
import type { ReplicaPhases } from './replica-phases.ts';
import { ratio } from './stats.ts';

export interface Goal {
  name: string;
  target: string;
  measured: string;
  value: number | null;
  met: boolean;
}

export interface Ratios {
  wholePathToCeiling: number | null;
  avifWholePathToCeiling: number | null;
  processImageToCeiling: number | null;
  /**
   * Ceiling CPU per job ÷ CPU per job: the throughput ratio both would show
   * saturating an idle machine. Unlike the jobs/s ratios it barely moves
   * with other load on the machine.
   */
  processImageCpuRatio: number | null;
  /** The same for the whole path, with the replica's, Postgres' and Redis' CPU. */
  wholePathCpuRatio: number | null;
  /** Server CPU of a 1×1 job ÷ raw-sharp CPU of one photo job. */
  orchestrationCpuShare: number | null;
  leasedListToBullmq: number | null;
}

export function computeRatios(
  ceiling: { photo: CeilingSweep; avif: CeilingSweep },
  phases: ReplicaPhases,
  queue: QueueComparison,
): Ratios {
  const best = ceiling.photo.best;
  return {
    wholePathToCeiling: ratio(phases.photo.jobsPerSecond, best.jobsPerSecond),
    avifWholePathToCeiling: ratio(phases.avif.jobsPerSecond, ceiling.avif.best.jobsPerSecond),
    processImageToCeiling: ratio(
      ceiling.photo.processImage?.jobsPerSecond ?? Number.NaN,
      best.jobsPerSecond,
    ),
    processImageCpuRatio: ratio(
      best.cpuMsPerJob,
      ceiling.photo.processImage?.cpuMsPerJob ?? Number.NaN,
    ),
    wholePathCpuRatio: ratio(best.cpuMsPerJob, phases.photo.serverCpuMsPerJob),
    orchestrationCpuShare: ratio(phases.tiny.serverCpuMsPerJob, best.cpuMsPerJob),
    leasedListToBullmq: queue.ratio,
  };
}

const fmt = (value: number | null, digits = 2) => (value === null ? 'n/a' : value.toFixed(digits));
const withUnit = (value: number | null, unit: string) => (value === null ? '' : unit);

export function evaluateGoals(ratios: Ratios, phases: ReplicaPhases): Goal[] {
  const at200 = phases.api.find((step) => step.targetRate === 200) ?? null;
  const delivery = phases.subscribers.deliveryMs.p99;
  const subscribers = phases.subscribers.subscribers.sse + phases.subscribers.subscribers.ws;
  const goal = (name: string, target: string, value: number | null, met: boolean, unit = '') => ({
    name,
    target,
    measured: `${fmt(value)}${withUnit(value, unit)}`,
    value,
    met: value !== null && met,
  });

  return [
    goal('whole path ÷ raw-sharp ceiling (photos)', '≥ 0.90', ratios.wholePathToCeiling,
      (ratios.wholePathToCeiling ?? 0) >= 0.9),
    goal('orchestration CPU per job ÷ CPU of one photo job', '≤ 0.05', ratios.orchestrationCpuShare,
      (ratios.orchestrationCpuShare ?? 1) <= 0.05),
    goal('leased list ÷ BullMQ jobs/s', '≥ 1.0', ratios.leasedListToBullmq,
      (ratios.leasedListToBullmq ?? 0) >= 1),
    goal('createJob p99 at 200 req/s', '< 50 ms', at200?.p99Ms ?? null,
      (at200?.p99Ms ?? Infinity) < 50, ' ms'),
    goal(`p99 delivery with ${subscribers} subscribers (goal: 1,000)`, '< 100 ms', delivery,
      subscribers >= 1000 && delivery < 100, ' ms'),
  ];
}
