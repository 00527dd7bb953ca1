import { setTimeout as sleep } from 'node:timers/promises';

import { Webhook } from 'standardwebhooks';

import type { WebhookDeliveryRow } from '../infra/tables.ts';
import type { Logger } from '../logger.ts';
import type { Metrics, WebhookOutcome } from '../metrics.ts';
import type { AttemptResult, WebhookDeliveries } from './webhook-deliveries.ts';
import type { PostResult, WebhookPoster } from './webhook-post.ts';

/**
 * Signs webhooks when WEBHOOK_SECRET is unset. It is public, so receivers
 * cannot trust a signature made with it: for development machines only.
 */
export const DEVELOPMENT_WEBHOOK_SECRET = 'whsec_cGl4ZWxmbG93LWRldmVsb3BtZW50LXdlYmhvb2sta2V5IQ==';

/** Deliveries one sender claims and sends at once. */
const BATCH_SIZE = 10;
/** A claim outlives its attempts' timeout by this much, so a live attempt keeps it. */
const CLAIM_MARGIN_MS = 30_000;
const MAX_RETRY_DELAY_MS = 6 * 3600 * 1000;

export interface WebhookSenderOptions {
  deliveries: WebhookDeliveries;
  poster: WebhookPoster;
  /** A `whsec_` secret; undefined signs with DEVELOPMENT_WEBHOOK_SECRET. */
  secret: string | undefined;
  /** The poster's per-request timeout; claims last this plus a margin. */
  timeoutMs: number;
  retryBaseMs: number;
  /** Attempts before a delivery ends FAILED. */
  maxAttempts: number;
  /** Longest wait between looks for due deliveries. */
  pollMs: number;
  metrics: Pick<Metrics, 'recordWebhookDelivery'>;
  logger: Logger;
}

export interface WebhookSender {
  start(): void;
  /** Stops claiming and waits for the attempts in flight. Safe to call twice. */
  stop(): Promise<void>;
}

/** Delay after attempt `attempt`: base × 2^(attempt − 1), ±50 % jitter, capped at 6 hours. */
export function retryDelayMs(attempt: number, baseMs: number, random = Math.random): number {
  const backoff = baseMs * 2 ** (attempt - 1);
  return Math.round(Math.min(backoff * (0.5 + random()), MAX_RETRY_DELAY_MS));
}

/**
 * Delivers the webhook outbox. Every replica runs one; claims use SKIP LOCKED,
 * so senders share the due rows without sending one twice. A sender that dies
 * mid-attempt leaves its claim to run out, and the row is sent again with the
 * same webhook-id: delivery is at least once.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const { deliveries, poster, metrics, logger } = options;
  const signer = new Webhook(options.secret ?? DEVELOPMENT_WEBHOOK_SECRET);
  const claimMs = options.timeoutMs + CLAIM_MARGIN_MS;
  const stopping = new AbortController();
  let loop: Promise<void> | null = null;
  let closed = false;

  const idle = (ms: number) =>
    sleep(ms, undefined, { signal: stopping.signal }).catch(() => undefined);

  async function attempt(row: WebhookDeliveryRow): Promise<void> {
    if (row.attempts > options.maxAttempts) {
      // Earlier claims ran out without a result (their sender died mid-attempt):
      // the last attempt was made, so stop instead of sending once more.
      const error = 'attempts used up without a recorded result';
      await deliveries.markFailed(row, { statusCode: null, error });
      metrics.recordWebhookDelivery('failed');
      logger.warn({ deliveryId: row.id, jobId: row.jobId, error }, 'webhook delivery failed');
      return;
    }

    const body = JSON.stringify(row.payload);
    const sentAt = new Date();
    const headers = {
      'webhook-id': row.id,
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': signer.sign(row.id, sentAt, body),
    };
    const result = await poster.post(row.url, headers, body);
    await record(row, result);
  }

  async function record(row: WebhookDeliveryRow, result: PostResult): Promise<void> {
    const statusCode = result.kind === 'answered' ? result.statusCode : null;
    const fields = { deliveryId: row.id, jobId: row.jobId, attempt: row.attempts, statusCode };

    let outcome: WebhookOutcome;
    let recorded: boolean;
    if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
      outcome = 'delivered';
      recorded = await deliveries.markDelivered(row, statusCode);
      logger.info(fields, 'webhook delivered');
    } else {
      const failure = describeFailure(result);
      const final = result.kind === 'refused' || row.attempts >= options.maxAttempts;
      if (final) {
        outcome = 'failed';
        recorded = await deliveries.markFailed(row, failure);
        logger.warn({ ...fields, error: failure.error }, 'webhook delivery failed');
      } else {
        outcome = 'retried';
        const delayMs = retryDelayMs(row.attempts, options.retryBaseMs);
        recorded = await deliveries.markRetry(row, failure, delayMs);
        logger.info({ ...fields, error: failure.error, delayMs }, 'webhook attempt failed');
      }
    }

    metrics.recordWebhookDelivery(outcome);
    if (!recorded) logger.warn(fields, 'webhook result not recorded: claim ran out');
  }

  async function attemptSafely(row: WebhookDeliveryRow): Promise<void> {
    try {
      await attempt(row);
    } catch (error: unknown) {
      // The claim stays until it runs out; then another attempt is made.
      logger.error({ err: error, deliveryId: row.id, jobId: row.jobId }, 'webhook attempt broke');
    }
  }

  async function sendLoop(): Promise<void> {
    let failures = 0;
    while (!stopping.signal.aborted) {
      let claimed: WebhookDeliveryRow[];
      try {
        claimed = await deliveries.claimDue(BATCH_SIZE, claimMs);
        failures = 0;
      } catch (error: unknown) {
        failures += 1;
        logger.error({ err: error }, 'webhook claim failed; retrying');
        await idle(Math.min(options.pollMs * 2 ** failures, 30_000));
        continue;
      }

      await Promise.all(claimed.map(attemptSafely));
      if (claimed.length < BATCH_SIZE) await idle(options.pollMs);
    }
  }

  return {
    start() {
      if (loop) return;
      if (options.secret === undefined) {
        logger.warn('WEBHOOK_SECRET is unset: webhooks are signed with the development secret');
      }
      loop = sendLoop();
    },

    async stop() {
      stopping.abort();
      await loop;
      if (closed) return;
      closed = true;
      poster.close();
    },
  };
}

function describeFailure(result: PostResult): AttemptResult {
  if (result.kind !== 'answered') return { statusCode: null, error: result.error };

  const { statusCode } = result;
  const redirect = statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : '';
  return { statusCode, error: `answered HTTP ${statusCode}${redirect}` };
}
