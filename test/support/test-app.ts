import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

import { createApp, type App } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';

export const POSTGRES_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export const CORPUS = new URL('../../../shared/corpus/', import.meta.url);

export interface TestEnvironment {
  databaseUrl: string;
  redisPrefix: string;
  storageDir: string;
  drop(): Promise<void>;
}

/** Drops a test's private database on the shared server, its connections ended. */
export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** A private database, Redis key prefix and storage folder, removed by `drop`. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const name = `pixelflow_test_${randomBytes(6).toString('hex')}`;
  const databaseUrl = withDatabase(POSTGRES_URL, name);
  const storageDir = await mkdtemp(join(tmpdir(), 'pixelflow-s3-'));

  return {
    databaseUrl,
    redisPrefix: `${name}:`,
    storageDir,
    async drop() {
      await dropDatabase(name);
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp extends App {
  config: Config;
  graphqlUrl: string;
}

/** Starts a replica in this process on free ports, with fast leases and polling. */
export async function startTestApp(
  environment: TestEnvironment,
  overrides: Record<string, string> = {},
): Promise<TestApp> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: environment.databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: environment.redisPrefix,
    STORAGE_EMBEDDED_PORT: '0',
    STORAGE_EMBEDDED_DIR: environment.storageDir,
    POOL_THREADS: '2',
    DISPATCH_POLL_MS: '200',
    LEASE_MS: '5000',
    LEASE_RENEW_MS: '1000',
    RETRY_BASE_MS: '100',
    // Tests make many calls as one user; test/integration/rate-limits.test.ts turns limits on.
    RATE_LIMIT_CREATE_PER_MINUTE: '0',
    RATE_LIMIT_START_PER_MINUTE: '0',
    ...overrides,
  });
  const app = await createApp(config, createLogger(config.LOG_LEVEL));
  return { ...app, config, graphqlUrl: `${app.url}/graphql` };
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export interface TestSetup {
  environment: TestEnvironment;
  app: TestApp;
}

/**
 * A replica for one test file, on its own database, Redis prefix and storage,
 * started before the file's tests and removed after them. Read `app` and
 * `environment` inside tests: they are set once the set-up has run.
 */
export function useTestApp(overrides: Record<string, string> = {}): TestSetup {
  const setup = {} as TestSetup;
  beforeAll(async () => {
    setup.environment = await createTestEnvironment();
    setup.app = await startTestApp(setup.environment, overrides);
  });
  afterAll(async () => {
    await setup.app?.close();
    await setup.environment?.drop();
  });
  return setup;
}
