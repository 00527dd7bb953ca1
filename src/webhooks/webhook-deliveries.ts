import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';

import type { Database } from '../infra/postgres.ts';
import { webhookDeliveries, type WebhookDeliveryRow } from '../infra/tables.ts';

/** What one attempt ended with, as recorded on the row. */
export interface AttemptResult {
  statusCode: number | null;
  error: string | null;
}

export type WebhookDeliveries = ReturnType<typeof createWebhookDeliveries>;

const after = (ms: number) => sql`now() + ${ms} * interval '1 millisecond'`;

/**
 * The sender's reads and writes of the outbox. A claim moves a due row's
 * `next_attempt_at` past the attempt it starts and counts that attempt, so
 * other senders skip it; every later write is fenced by that attempt number,
 * so a sender whose claim ran out cannot overwrite the next one's result.
 */
export function createWebhookDeliveries(db: Database) {
  const claimed = (row: WebhookDeliveryRow) =>
    and(
      eq(webhookDeliveries.id, row.id),
      eq(webhookDeliveries.status, 'PENDING'),
      eq(webhookDeliveries.attempts, row.attempts),
    );

  async function settle(
    row: WebhookDeliveryRow,
    values: PgUpdateSetSource<typeof webhookDeliveries>,
  ): Promise<boolean> {
    const rows = await db
      .update(webhookDeliveries)
      .set(values)
      .where(claimed(row))
      .returning({ id: webhookDeliveries.id });
    return rows.length === 1;
  }

  return {
    /**
     * Claims up to `limit` due rows for `leaseMs`, in one statement. Rows other
     * senders are claiming at this moment are skipped, not waited for.
     */
    async claimDue(limit: number, leaseMs: number): Promise<WebhookDeliveryRow[]> {
      const due = db
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(
          and(
            eq(webhookDeliveries.status, 'PENDING'),
            lte(webhookDeliveries.nextAttemptAt, sql`now()`),
          ),
        )
        .orderBy(asc(webhookDeliveries.nextAttemptAt))
        .limit(limit)
        .for('update', { skipLocked: true });

      return db
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          nextAttemptAt: after(leaseMs),
        })
        .where(inArray(webhookDeliveries.id, due))
        .returning();
    },

    /** False when the claim had run out and another sender took the row. */
    async markDelivered(row: WebhookDeliveryRow, statusCode: number): Promise<boolean> {
      return settle(row, {
        status: 'DELIVERED',
        lastStatusCode: statusCode,
        lastError: null,
        deliveredAt: sql`now()`,
      });
    },

    async markRetry(row: WebhookDeliveryRow, result: AttemptResult, delayMs: number) {
      return settle(row, {
        lastStatusCode: result.statusCode,
        lastError: result.error,
        nextAttemptAt: after(delayMs),
      });
    },

    async markFailed(row: WebhookDeliveryRow, result: AttemptResult): Promise<boolean> {
      return settle(row, {
        status: 'FAILED',
        lastStatusCode: result.statusCode,
        lastError: result.error,
      });
    },
  };
}
