import type { CeilingConfig } from './ceiling.ts';

/** Every count the benchmark uses; each can be set with `--name=value`. */
export interface Profile {
  ceilingWarmup: number;
  ceilingJobs: number;
  avifCeilingJobs: number;
  photoClients: number;
  photoWarmup: number;
  photoJobs: number;
  avifClients: number;
  avifJobs: number;
  tinyClients: number;
  tinyWarmup: number;
  tinyJobs: number;
  largeBurst: number;
  queueJobs: number;
  queueConcurrency: number;
  apiSeconds: number;
  subscribers: number;
  subscriberJobs: number;
  /** Kodak photos used (1–3); each is made at every photo size. */
  photos: number;
}

export const FULL: Profile = {
  ceilingWarmup: 4,
  ceilingJobs: 36,
  avifCeilingJobs: 12,
  photoClients: 6,
  photoWarmup: 4,
  photoJobs: 48,
  avifClients: 4,
  avifJobs: 12,
  tinyClients: 16,
  tinyWarmup: 20,
  tinyJobs: 400,
  largeBurst: 6,
  queueJobs: 20_000,
  queueConcurrency: 8,
  apiSeconds: 10,
  subscribers: 1000,
  subscriberJobs: 50,
  photos: 3,
};

/** A few of everything: proves the script works (CI), measures nothing worth quoting. */
export const SMOKE: Profile = {
  ceilingWarmup: 0,
  ceilingJobs: 2,
  avifCeilingJobs: 1,
  photoClients: 2,
  photoWarmup: 0,
  photoJobs: 2,
  avifClients: 1,
  avifJobs: 1,
  tinyClients: 2,
  tinyWarmup: 1,
  tinyJobs: 4,
  largeBurst: 1,
  queueJobs: 200,
  queueConcurrency: 8,
  apiSeconds: 1,
  subscribers: 10,
  subscriberJobs: 2,
  photos: 1,
};

export const FULL_RATES = [50, 200, 500] as const;
export const SMOKE_RATES = [20] as const;

/** The ceiling sweep: one decode or one per output, × images in flight, × libvips threads. */
export const FULL_SWEEP: readonly CeilingConfig[] = [
  { strategy: 'cascade', inFlight: 2, vipsThreads: 1 },
  { strategy: 'cascade', inFlight: 4, vipsThreads: 1 },
  { strategy: 'cascade', inFlight: 2, vipsThreads: 2 },
  { strategy: 'per-output', inFlight: 2, vipsThreads: 1 },
  { strategy: 'per-output', inFlight: 4, vipsThreads: 1 },
];
export const AVIF_SWEEP: readonly CeilingConfig[] = [
  { strategy: 'per-output', inFlight: 2, vipsThreads: 1 },
  { strategy: 'per-output', inFlight: 4, vipsThreads: 1 },
];
export const SMOKE_SWEEP: readonly CeilingConfig[] = [
  { strategy: 'cascade', inFlight: 2, vipsThreads: 1 },
];

export interface BenchOptions {
  smoke: boolean;
  outDir: string;
  profile: Profile;
  rates: readonly number[];
  sweep: readonly CeilingConfig[];
  avifSweep: readonly CeilingConfig[];
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const smoke = argv.includes('--smoke');
  const profile: Profile = { ...(smoke ? SMOKE : FULL) };
  let outDir = 'bench-results';

  for (const arg of argv) {
    const match = /^--([a-zA-Z]+)=(.*)$/.exec(arg);
    if (arg === '--smoke') continue;
    if (!match) throw new Error(`unknown argument ${arg}; use --smoke, --out=DIR, --<count>=N`);
    const [, name = '', value = ''] = match;
    if (name === 'out') {
      outDir = value;
      continue;
    }
    if (!(name in profile)) {
      throw new Error(`unknown count --${name}; known: ${Object.keys(profile).join(', ')}`);
    }
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} wants an integer ≥ 0`);
    profile[name as keyof Profile] = number;
  }
  profile.photos = Math.min(3, Math.max(1, profile.photos));

  return {
    smoke,
    outDir,
    profile,
    rates: smoke ? SMOKE_RATES : FULL_RATES,
    sweep: smoke ? SMOKE_SWEEP : FULL_SWEEP,
    avifSweep: smoke ? SMOKE_SWEEP : AVIF_SWEEP,
  };
}
