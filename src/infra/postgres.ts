import { fileURLToPath } from 'node:url';

import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

import * as tables from './tables.ts';

export type Database = NodePgDatabase<typeof tables>;

export interface PostgresOptions {
  url: string;
  poolSize: number;
  /** Called when an idle connection breaks, e.g. when Postgres restarts. */
  onConnectionError: (error: Error) => void;
}

export interface Postgres {
  db: Database;
  /** Applies pending migrations; safe when several replicas start at once. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * drizzle's migrator takes no lock, so replicas starting together would race on
 * `CREATE TYPE`; one advisory lock (an arbitrary constant, "PXFL") serialises them.
 */
const MIGRATION_LOCK_ID = 0x5058464c;

export function createPostgres(options: PostgresOptions): Postgres {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    connectionTimeoutMillis: 5000,
  });
  // Without a listener, a broken idle connection would crash the process.
  pool.on('error', options.onConnectionError);
  const db = drizzle(pool, { schema: tables });
  let closed = false;

  return {
    db,

    async migrate() {
      await ensureDatabaseExists(options.url);
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
        await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => {});
        client.release();
      }
    },

    async ping() {
      await pool.query('select 1');
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

const DATABASE_MISSING = '3D000';
const DATABASE_EXISTS = '42P04';
/** Raised instead of DATABASE_EXISTS when another replica creates it at the same moment. */
const UNIQUE_VIOLATION = '23505';

/**
 * Creates the configured database when the server has none by that name, so a
 * fresh machine needs no manual `createdb`. Any other connection error is
 * left for the caller to report.
 */
async function ensureDatabaseExists(url: string): Promise<void> {
  const probe = new pg.Client({ connectionString: url });
  try {
    await probe.connect();
    return;
  } catch (error: unknown) {
    if (!hasCode(error, DATABASE_MISSING)) throw error;
  } finally {
    await probe.end().catch(() => {});
  }

  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  try {
    await admin.connect();
    await admin.query(`create database ${pg.escapeIdentifier(name)}`);
  } catch (error: unknown) {
    if (!hasCode(error, DATABASE_EXISTS) && !hasCode(error, UNIQUE_VIOLATION)) throw error;
  } finally {
    await admin.end().catch(() => {});
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
