import type { Machine } from '../bench/machine.ts';
import type { Revision } from '../bench/revision.ts';
import type { ScenarioResult } from './run-scenario.ts';
import type { Limits } from './scenarios.ts';

const SMOKE_NOTE = ' (smoke: limits scaled down, figures not for quoting)';

export interface MemoryResults {
  schemaVersion: 1;
  command: string;
  smoke: boolean;
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  revision: Revision;
  /** The limits the replica ran with. */
  limits: Limits;
  /** The replica's RSS once started, before any job. */
  idleRssMiB: number;
  scenarios: ScenarioResult[];
  /** The largest RSS of the whole run: the kernel's VmHWM at the end, or a larger sample. */
  peakRssMiB: number;
  budgetMiB: number;
  withinBudget: boolean;
}

function outcomes(result: ScenarioResult): string {
  return Object.entries(result.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
}

export function renderMemoryMarkdown(results: MemoryResults): string {
  const { machine, limits } = results;
  const lines = [
    `# Memory budget${results.smoke ? SMOKE_NOTE : ''}`,
    '',
    `\`${results.command}\` on ${results.startedAt}, ${results.durationSeconds} s.`,
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ` +
      `load average ${machine.loadAverage1m} at the start; Node ${machine.node}, ` +
      `sharp ${machine.sharp}, libvips ${machine.libvips}; commit ${results.revision.commit}` +
      (results.revision.uncommitted.length > 0 ? ' (with uncommitted changes)' : '') +
      '.',
    '',
    `One replica (\`scripts/bench/replica-child.ts\`) with POOL_THREADS ${limits.poolThreads}, ` +
      `MAX_INPUT_PIXELS ${limits.maxInputPixels}, MAX_OUTPUT_PIXELS ${limits.maxOutputPixels}, ` +
      `MAX_OUTPUTS_PER_JOB ${limits.maxOutputsPerJob}, ` +
      `MAX_JOB_OUTPUT_PIXELS ${limits.maxJobOutputPixels}. Idle RSS ${results.idleRssMiB} MiB.`,
    '',
    '| scenario | what | jobs (clients) | outcomes | peak RSS | VmHWM so far | wall | ' +
      'replica CPU |',
    '|---|---|---:|---|---:|---:|---:|---:|',
    ...results.scenarios.map(
      (s) =>
        `| ${s.name} | ${s.about} | ${s.jobs} (${s.clients}) | ${outcomes(s)} | ` +
        `${s.peakRssMiB} MiB | ${s.highWaterMiB} MiB | ${s.seconds} s | ${s.replicaCpuSeconds} s |`,
    ),
    '',
    `**Peak RSS ${results.peakRssMiB} MiB; budget ${results.budgetMiB} MiB: ` +
      `${results.withinBudget ? 'within' : '**over**'}.**`,
    '',
  ];
  return lines.join('\n');
}
