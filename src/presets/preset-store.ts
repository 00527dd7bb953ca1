import { and, asc, desc, eq, gt, lt, or, sql } from 'drizzle-orm';

import type { Database } from '../infra/postgres.ts';
import { presets, type PresetRow } from '../infra/tables.ts';
import type { OutputSpec } from '../pool/task.ts';
import type { PresetRef } from './preset-ref.ts';

export interface NewPreset {
  owner: string;
  name: string;
  outputs: OutputSpec[];
  placeholders: boolean;
}

export interface PresetPageOptions {
  owner: string;
  /** Only the versions of this preset; null for all of the owner's presets. */
  name: string | null;
  limit: number;
  /** Keyset cursors: the versions a page starts after or ends before. */
  after: { name: string; version: number } | null;
  before: { name: string; version: number } | null;
  /** Walk backwards (for `last`); the caller reverses the page. */
  backwards: boolean;
}

export type PresetStore = ReturnType<typeof createPresetStore>;

/**
 * Key space of the lock that serialises the versions of one preset; the
 * two-number form of advisory locks never meets the one-number form of the
 * migration lock. "PRES" in ASCII.
 */
const PRESET_LOCK_CLASS = 0x50524553;

/** Presets of every owner; each call is scoped to one. */
export function createPresetStore(db: Database) {
  return {
    /**
     * Adds the next version of a preset. Two saves of one name at once would
     * both read the same highest version, so each first takes a transaction
     * lock on the (owner, name) pair: the second reads after the first commits.
     */
    async save(input: NewPreset): Promise<PresetRow> {
      return db.transaction(async (tx) => {
        // Two pairs that hash alike only wait for each other, which is harmless.
        await tx.execute(
          sql`select pg_advisory_xact_lock(${PRESET_LOCK_CLASS},
            hashtext(${input.owner}::text || '/' || ${input.name}::text))`,
        );
        const next = sql`(select coalesce(max(${presets.version}), 0) + 1 from ${presets}
          where ${presets.owner} = ${input.owner} and ${presets.name} = ${input.name})`;
        const [row] = await tx
          .insert(presets)
          .values({ ...input, version: next })
          .returning();
        return row as PresetRow;
      });
    },

    /** One version, or the latest when `ref.version` is null. */
    async find(owner: string, ref: PresetRef): Promise<PresetRow | null> {
      const [row] = await db
        .select()
        .from(presets)
        .where(
          and(
            eq(presets.owner, owner),
            eq(presets.name, ref.name),
            ref.version === null ? undefined : eq(presets.version, ref.version),
          ),
        )
        .orderBy(desc(presets.version))
        .limit(1);
      return row ?? null;
    },

    /** By name, then newest version first. */
    async page(options: PresetPageOptions): Promise<PresetRow[]> {
      const beyond = (cursor: { name: string; version: number }, forwards: boolean) =>
        forwards
          ? or(
              gt(presets.name, cursor.name),
              and(eq(presets.name, cursor.name), lt(presets.version, cursor.version)),
            )
          : or(
              lt(presets.name, cursor.name),
              and(eq(presets.name, cursor.name), gt(presets.version, cursor.version)),
            );
      const order = options.backwards
        ? [desc(presets.name), asc(presets.version)]
        : [asc(presets.name), desc(presets.version)];

      return db
        .select()
        .from(presets)
        .where(
          and(
            eq(presets.owner, options.owner),
            options.name === null ? undefined : eq(presets.name, options.name),
            options.after === null ? undefined : beyond(options.after, true),
            options.before === null ? undefined : beyond(options.before, false),
          ),
        )
        .orderBy(...order)
        .limit(options.limit);
    },
  };
}
