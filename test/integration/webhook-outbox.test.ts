import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPostgres, type Postgres } from '../../src/infra/postgres.ts';
import { jobs, webhookDeliveries } from '../../src/infra/tables.ts';
import { createJobStore, type JobStore } from '../../src/jobs/job-store.ts';
import { createJobTransitions, type JobTransitions } from '../../src/jobs/job-transitions.ts';
import { createLogger } from '../../src/logger.ts';
import type { OutputSpec } from '../../src/pool/task.ts';
import { createWebhookDeliveries } from '../../src/webhooks/webhook-deliveries.ts';
import { createWebhookPoster } from '../../src/webhooks/webhook-post.ts';
import { createWebhookSender } from '../../src/webhooks/webhook-sender.ts';
import { createTestEnvironment, type TestEnvironment } from '../support/test-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let environment: TestEnvironment;
let postgres: Postgres;
let store: JobStore;
let transitions: JobTransitions;
let receiver: WebhookReceiver;

const openPostgres = () =>
  createPostgres({ url: environment.databaseUrl, poolSize: 4, onConnectionError: () => {} });

beforeAll(async () => {
  environment = await createTestEnvironment();
  postgres = openPostgres();
  await postgres.migrate();
  store = createJobStore(postgres.db, 'test-replica');
  transitions = createJobTransitions(postgres.db, 'test-replica');
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await postgres?.close();
  await environment?.drop();
  await receiver?.close();
});

const THUMB: OutputSpec = { id: 'thumb', resize: null, format: 'WEBP', quality: 80 };
const USAGE = { pixelsProcessed: 1, bytesIn: 1, bytesOut: 1, computeMs: 1 };

async function jobIn(
  status: 'QUEUED' | 'PROCESSING',
  attempt: number,
  webhookUrl: string | null = 'http://127.0.0.1:9/hook',
) {
  const job = await store.create({
    owner: 'alice',
    outputs: [THUMB],
    webhookUrl,
    localSource: null,
  });
  await postgres.db.update(jobs).set({ status, attempt }).where(eq(jobs.id, job.id));
  return job.id;
}

const deliveriesOf = (jobId: string) =>
  postgres.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.jobId, jobId));

describe('the webhook outbox', () => {
  it('records job.failed when a job has used up its attempts', async () => {
    const id = await jobIn('QUEUED', 3);
    expect((await transitions.claim(id, 5000, { maxAttempts: 3, maxCrashes: 2 })).kind)
      .toBe('exhausted');

    const [row, ...more] = await deliveriesOf(id);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ eventType: 'job.failed', status: 'PENDING', attempts: 0 });
    expect(row?.payload.data.error?.code).toBe('ATTEMPTS_EXHAUSTED');
  });

  it('records nothing for a refused terminal write, and one row for the accepted one', async () => {
    const id = await jobIn('PROCESSING', 2);
    expect(await transitions.fail(id, 1, 'CORRUPT_IMAGE', 'stale attempt')).toBeNull();
    expect(await transitions.succeed(id, 1, [], USAGE)).toBeNull();
    expect(await deliveriesOf(id)).toEqual([]);

    expect(await transitions.fail(id, 2, 'CORRUPT_IMAGE', 'bad bytes')).not.toBeNull();
    expect(await store.cancel('alice', id)).toBeNull();
    expect((await deliveriesOf(id)).map((row) => row.eventType)).toEqual(['job.failed']);
  });

  it('records nothing for a job without a webhook URL', async () => {
    const id = await jobIn('QUEUED', 0, null);
    expect(await store.cancel('alice', id)).not.toBeNull();
    expect(await deliveriesOf(id)).toEqual([]);
  });
});

function createSender(replica: Postgres) {
  return createWebhookSender({
    deliveries: createWebhookDeliveries(replica.db),
    poster: createWebhookPoster({ allowPrivateNetworks: true, timeoutMs: 2000 }),
    secret: undefined,
    timeoutMs: 2000,
    retryBaseMs: 100,
    maxAttempts: 3,
    pollMs: 20,
    metrics: { recordWebhookDelivery: () => {} },
    logger: createLogger('silent'),
  });
}

describe('webhook senders', () => {
  it('give up on a delivery whose last attempt ended without a result', async () => {
    const hook = receiver.endpoint();
    const id = await jobIn('QUEUED', 0, hook.url);
    await store.cancel('alice', id);
    // As if a sender died during attempt 3 of 3 and its claim ran out.
    await postgres.db
      .update(webhookDeliveries)
      .set({ attempts: 3 })
      .where(eq(webhookDeliveries.jobId, id));

    const sender = createSender(postgres);
    sender.start();
    const deadline = Date.now() + 10_000;
    let row = (await deliveriesOf(id))[0];
    while (row?.status === 'PENDING' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      row = (await deliveriesOf(id))[0];
    }
    await sender.stop();

    expect(row).toMatchObject({ status: 'FAILED', attempts: 4 });
    expect(row?.lastError).toMatch(/without a recorded result/);
    expect(hook.received).toEqual([]);
  });

  it('running at once deliver every webhook once and record each as DELIVERED', async () => {
    const hook = receiver.endpoint();
    const ids: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const id = await jobIn('QUEUED', 0, hook.url);
      await store.cancel('alice', id);
      ids.push(id);
    }

    const replicas = [openPostgres(), openPostgres(), openPostgres()];
    const senders = replicas.map((replica) => createSender(replica));
    try {
      for (const sender of senders) sender.start();
      await receiver.waitFor(hook.received, ids.length);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      for (const sender of senders) await Promise.all([sender.stop(), sender.stop()]);
      await Promise.all(replicas.map((replica) => replica.close()));
    }

    const webhookIds = hook.received.map((webhook) => webhook.headers['webhook-id']);
    expect(webhookIds).toHaveLength(ids.length);
    expect(new Set(webhookIds).size).toBe(ids.length);
    const rows = await postgres.db.select().from(webhookDeliveries);
    const sent = rows.filter((row) => ids.includes(row.jobId));
    expect(sent.map((row) => [row.status, row.attempts])).toEqual(
      ids.map(() => ['DELIVERED', 1]),
    );
  });
});
