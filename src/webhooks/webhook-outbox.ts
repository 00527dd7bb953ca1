import type { Database } from '../infra/postgres.ts';
import { webhookDeliveries, type JobRow } from '../infra/tables.ts';
import { buildWebhookPayload, type WebhookDetails } from './webhook-payload.ts';

/** A database or an open transaction: whatever the terminal write runs in. */
export type OutboxWriter = Pick<Database, 'insert'>;

/**
 * Records the webhook of a job that has just reached a terminal status, in
 * the caller's transaction, so the event exists exactly when the transition
 * committed. Jobs without a webhook URL record nothing.
 */
export async function enqueueWebhook(
  writer: OutboxWriter,
  job: JobRow,
  details?: WebhookDetails,
): Promise<void> {
  if (!job.webhookUrl) return;

  const payload = buildWebhookPayload(job, details);
  await writer.insert(webhookDeliveries).values({
    jobId: job.id,
    owner: job.owner,
    url: job.webhookUrl,
    eventType: payload.type,
    payload,
  });
}
