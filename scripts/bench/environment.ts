import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';
import pg from 'pg';

export const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A private database, Redis key prefix and storage folder for one benchmark run. */
export interface BenchEnvironment {
  name: string;
  databaseUrl: string;
  redisPrefix: string;
  storageDir: string;
  /** Drops the database, deletes every key under the prefix, removes the folder. */
  drop(): Promise<void>;
}

export async function createBenchEnvironment(): Promise<BenchEnvironment> {
  const name = `pixelflow_bench_${randomBytes(6).toString('hex')}`;
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const storageDir = await mkdtemp(join(tmpdir(), 'pixelflow-bench-s3-'));
  const redisPrefix = `${name}:`;

  return {
    name,
    databaseUrl: url.toString(),
    redisPrefix,
    storageDir,
    async drop() {
      const steps = [
        () => dropDatabase(name),
        () => deleteKeys(`${redisPrefix}*`),
        () => rm(storageDir, { recursive: true, force: true }),
      ];
      const failures: unknown[] = [];
      for (const step of steps) {
        await step().catch((error: unknown) => failures.push(error));
      }
      if (failures.length > 0) throw new AggregateError(failures, 'cleanup failed');
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** Deletes keys matching `pattern` with SCAN, never touching anything else on the shared Redis. */
export async function deleteKeys(pattern: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Redis server CPU (user + system) since it started, in ms, from INFO. */
export async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}
