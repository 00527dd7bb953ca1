import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { startEmbeddedS3, type EmbeddedS3 } from '../../../src/infra/embedded-s3.ts';
import { POSTGRES_URL, dropDatabase } from '../../support/test-app.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';
import { startPrivateRedis, type PrivateRedis } from './private-redis.ts';
import { startReplica, type ReplicaProcess } from './replica-process.ts';

/**
 * Short leases, renewals, reconcile and poll intervals: the same code as in
 * production, run fast enough for faults to play out in seconds.
 */
export const FAST_TIMING = {
  LEASE_MS: 1500,
  LEASE_RENEW_MS: 300,
  RECONCILE_MS: 500,
  DISPATCH_POLL_MS: 100,
  RETRY_BASE_MS: 100,
} as const;

/**
 * What a busy 2-core machine may add to a timer or a query: the tolerance
 * on timing bounds that are otherwise exact.
 */
export const SCHEDULING_SLACK_MS = 500;

export interface FaultStackOptions {
  /** `private` starts a cluster of the test's own, for tests that stop Postgres. */
  postgres: 'shared' | 'private';
}

export interface FaultStack {
  databaseUrl: string;
  redis: PrivateRedis;
  /** Set when `postgres: 'private'`. */
  cluster: PrivatePostgres | null;
  /** For the test's own reads of `jobs` and `job_events`. */
  db: pg.Pool;
  logDir: string;
  /** Every replica started, killed ones included. */
  replicas: ReplicaProcess[];
  startReplica(name: string, env?: Record<string, string | number>): Promise<ReplicaProcess>;
  close(): Promise<void>;
}

/**
 * What the replicas of one fault scenario share: an object store in this
 * process (its own key pair), a private redis-server, a private database (or
 * cluster), and a folder for their logs.
 */
export async function createFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const suffix = randomBytes(6).toString('hex');
  const logDir = await mkdtemp(join(tmpdir(), 'pixelflow-faults-'));
  const storageDir = join(logDir, 's3');
  const s3: EmbeddedS3 = await startEmbeddedS3({
    host: '127.0.0.1',
    port: 0,
    directory: storageDir,
    bucket: 'pixelflow',
    accessKey: `faults-${suffix}`,
    secretKey: randomBytes(24).toString('hex'),
  });
  const redis = await startPrivateRedis().catch(async (error: unknown) => {
    await s3.close();
    throw error;
  });
  const cluster = options.postgres !== 'private'
    ? null
    : await startPrivatePostgres().catch(async (error: unknown) => {
      await Promise.allSettled([redis.close(), s3.close()]);
      throw error;
    });
  const databaseName = `pixelflow_faults_${suffix}`;
  const databaseUrl = cluster?.url ?? withDatabase(POSTGRES_URL, databaseName);

  const db = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3000 });
  // A test that stops Postgres breaks idle connections; the pool replaces them.
  db.on('error', () => {});
  const replicas: ReplicaProcess[] = [];

  const baseEnv: Record<string, string | number> = {
    HOST: '127.0.0.1',
    PORT: 0,
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: 6,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'pixelflow:',
    STORAGE_ENDPOINT: s3.endpoint,
    STORAGE_ACCESS_KEY: s3.accessKey,
    STORAGE_SECRET_KEY: s3.secretKey,
    STORAGE_BUCKET: 'pixelflow',
    POOL_THREADS: 2,
    SHUTDOWN_GRACE_MS: 2000,
    FAULT_INJECTION: 'none',
    // The traffic comes from one user, faster than a person would send it.
    RATE_LIMIT_CREATE_PER_MINUTE: 0,
    RATE_LIMIT_START_PER_MINUTE: 0,
    ...FAST_TIMING,
  };

  let closed = false;
  return {
    databaseUrl,
    redis,
    cluster,
    db,
    logDir,
    replicas,

    async startReplica(name, env = {}) {
      const merged = Object.entries({ ...baseEnv, ...env }).map(([k, v]) => [k, String(v)]);
      const replica = await startReplica({ name, env: Object.fromEntries(merged), logDir });
      replicas.push(replica);
      return replica;
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(replicas.map((replica) => replica.stop()));
      await db.end().catch(() => {});
      await Promise.allSettled([redis.close(), s3.close(), cluster?.close()]);
      if (!cluster) await dropDatabase(databaseName).catch(() => {});
      // FAULTS_KEEP_LOGS=1 keeps the replicas' logs for a look after the run.
      if (process.env.FAULTS_KEEP_LOGS) console.log(`[faults] logs kept in ${logDir}`);
      else await rm(logDir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

