import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

interface CpuTimes {
  busy: number;
  total: number;
}

function readCpuTimes(): CpuTimes {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...fields] = line.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

/** Measures how many cores the whole machine kept busy from now until `stop()`. */
export function measureCpu(): { stop(): number } {
  const start = readCpuTimes();
  return {
    stop() {
      const end = readCpuTimes();
      const total = end.total - start.total;
      return total > 0 ? ((end.busy - start.busy) / total) * availableParallelism() : 0;
    },
  };
}
