import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import type { RateLimitedOperation } from './rate-limits.ts';

export const JOB_OUTCOMES = ['succeeded', 'failed', 'canceled', 'retried'] as const;
export type JobOutcome = (typeof JOB_OUTCOMES)[number];

export const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'failed'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

export interface MetricsOptions {
  readQueueDepth: () => Promise<number>;
  readBusyThreads: () => number;
  poolThreads: number;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Every metric PixelFlow exposes, in one registry, with bounded label sets. */
export function createMetrics(options: MetricsOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pixelflow_' });

  const jobsFinished = new Counter({
    name: 'pixelflow_jobs_total',
    help: 'Jobs that reached an outcome on this replica, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const jobDuration = new Histogram({
    name: 'pixelflow_job_duration_seconds',
    help: 'Time from lease to terminal write of one attempt, by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  const webhookDeliveries = new Counter({
    name: 'pixelflow_webhook_deliveries_total',
    help: 'Webhook delivery attempts made by this replica, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const rateLimited = new Counter({
    name: 'pixelflow_rate_limited_total',
    help: 'Calls refused by a per-caller rate limit, by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });

  const rateLimitUnchecked = new Counter({
    name: 'pixelflow_rate_limit_unchecked_total',
    help: 'Calls let through unchecked because Redis did not answer in time, by operation.',
    labelNames: ['operation'] as const,
    registers: [registry],
  });

  new Gauge({
    name: 'pixelflow_queue_depth',
    help: 'Job ids waiting in the ready list.',
    registers: [registry],
    async collect() {
      this.set(await options.readQueueDepth());
    },
  });

  new Gauge({
    name: 'pixelflow_pool_busy_threads',
    help: 'Worker threads currently processing an image.',
    registers: [registry],
    collect() {
      this.set(options.readBusyThreads());
    },
  });

  new Gauge({
    name: 'pixelflow_pool_threads',
    help: 'Worker threads in the pool.',
    registers: [registry],
    collect() {
      this.set(options.poolThreads);
    },
  });

  return {
    registry,
    recordOutcome(outcome: JobOutcome, seconds: number) {
      jobsFinished.inc({ outcome });
      jobDuration.observe({ outcome }, seconds);
    },
    recordWebhookDelivery(outcome: WebhookOutcome) {
      webhookDeliveries.inc({ outcome });
    },
    recordRateLimited(operation: RateLimitedOperation) {
      rateLimited.inc({ operation });
    },
    recordRateLimitUnchecked(operation: RateLimitedOperation) {
      rateLimitUnchecked.inc({ operation });
    },
  };
}
