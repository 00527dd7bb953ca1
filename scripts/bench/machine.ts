import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

import sharp from 'sharp';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  sharp: string;
  libvips: string;
  /** Kernel-reported load average at the start: other work competing for the cores. */
  loadAverage1m: number;
}

export function describeMachine(): Machine {
  const versions = sharp.versions as Record<string, string | undefined>;
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
    sharp: versions.sharp ?? 'unknown',
    libvips: versions.vips ?? 'unknown',
    loadAverage1m: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  };
}
