import type { CeilingResult, CeilingSweep } from './ceiling.ts';
import type { Goal, Ratios } from './goals.ts';
import type { Machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { QueueComparison } from './queue-bench.ts';
import type { ReplicaPhases } from './replica-phases.ts';
import type { Revision } from './revision.ts';

/** Everything one run measured: what latest.json holds. */
export interface BenchResults {
  schemaVersion: 1;
  command: string;
  smoke: boolean;
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  revision: Revision;
  settings: Pick<BenchOptions, 'profile' | 'rates' | 'sweep' | 'avifSweep'>;
  inputs: { name: string; width: number; height: number; bytes: number; sha256: string }[];
  ceiling: { photo: CeilingSweep; avif: CeilingSweep; largeBurst: CeilingResult };
  phases: ReplicaPhases;
  queue: QueueComparison;
  ratios: Ratios;
  goals: Goal[];
}
