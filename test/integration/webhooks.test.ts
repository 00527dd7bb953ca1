import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { WebhookPayload } from '../../src/webhooks/webhook-payload.ts';
import { gql } from '../support/graphql-client.ts';
import {
  DEFAULT_OUTPUTS,
  createJob,
  followAndStart,
  readCorpus,
  upload,
} from '../support/jobs.ts';
import {
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const FAST_WEBHOOKS = {
  WEBHOOK_SECRET: SECRET,
  WEBHOOK_RETRY_BASE_MS: '100',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_TIMEOUT_MS: '2000',
};

let environment: TestEnvironment;
let app: TestApp;
let receiver: WebhookReceiver;
let db: pg.Client;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  environment = await createTestEnvironment();
  app = await startTestApp(environment, {
    ...FAST_WEBHOOKS,
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  db = new pg.Client({ connectionString: environment.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await app?.close();
  await environment?.drop();
  await receiver?.close();
});

interface DeliveryRow {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
}

/** Waits until the job's delivery leaves PENDING, and returns it as stored. */
async function settledDelivery(client: pg.Client, jobId: string): Promise<DeliveryRow> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { rows } = await client.query<DeliveryRow>(
      'select * from webhook_deliveries where job_id = $1',
      [jobId],
    );
    const [row] = rows;
    if (row && row.status !== 'PENDING') return row;
    if (Date.now() > deadline) throw new Error(`delivery of ${jobId} still pending`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function verified(webhook: { headers: Record<string, string>; body: string }) {
  return new Webhook(SECRET).verify(webhook.body, webhook.headers) as WebhookPayload;
}

async function createHookedJob(url: string, webhookUrl: string, file?: string) {
  const created = await createJob(url, { outputs: DEFAULT_OUTPUTS, webhookUrl });
  if (file) await upload(created.upload, await readCorpus(file));
  return created.job.id;
}

const CANCEL = 'mutation ($id: ID!) { cancelJob(id: $id) { __typename } }';

describe('webhooks of finished jobs', () => {
  it('sends one signed job.succeeded webhook that carries the outputs', async () => {
    const hook = receiver.endpoint();
    const id = await createHookedJob(app.graphqlUrl, hook.url, 'kodak/kodim23.png');
    expect((await followAndStart(app.graphqlUrl, id)).at(-1)?.status).toBe('SUCCEEDED');

    await receiver.waitFor(hook.received, 1);
    const [webhook] = hook.received;
    if (!webhook) throw new Error('no webhook');
    const payload = verified(webhook);
    expect(payload).toMatchObject({
      type: 'job.succeeded',
      data: { jobId: id, status: 'SUCCEEDED', attempt: 1, error: null },
    });
    expect(payload.data.outputs).toEqual([
      { id: 'thumb', format: 'WEBP', width: 150, height: 100, bytes: expect.any(Number) },
      { id: 'large', format: 'JPEG', width: 720, height: 480, bytes: expect.any(Number) },
    ]);
    expect(payload.data.usage?.pixelsProcessed).toBeGreaterThan(0);
    expect(webhook.headers['content-type']).toBe('application/json');

    const row = await settledDelivery(db, id);
    expect(row).toMatchObject({ status: 'DELIVERED', attempts: 1, last_status_code: 200 });
    expect(webhook.headers['webhook-id']).toBe(row.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hook.received).toHaveLength(1);
  });

  it('sends job.failed with the error code of a corrupt image', async () => {
    const hook = receiver.endpoint();
    const id = await createHookedJob(app.graphqlUrl, hook.url, 'sharp/truncated.jpg');
    expect((await followAndStart(app.graphqlUrl, id)).at(-1)?.status).toBe('FAILED');

    await receiver.waitFor(hook.received, 1);
    const payload = verified(hook.received[0] as { headers: Record<string, string>; body: string });
    expect(payload).toMatchObject({
      type: 'job.failed',
      data: { jobId: id, status: 'FAILED', error: { code: 'CORRUPT_IMAGE' }, outputs: [] },
    });
    expect(payload.data.usage).toBeNull();
  });

  it('sends job.canceled when a job is canceled', async () => {
    const hook = receiver.endpoint();
    const id = await createHookedJob(app.graphqlUrl, hook.url);
    await gql(app.graphqlUrl, CANCEL, { id });

    await receiver.waitFor(hook.received, 1);
    const payload = verified(hook.received[0] as { headers: Record<string, string>; body: string });
    expect(payload).toMatchObject({
      type: 'job.canceled',
      data: { jobId: id, status: 'CANCELED', error: null, outputs: [], usage: null },
    });
    expect((await settledDelivery(db, id)).status).toBe('DELIVERED');
  });

  it('retries a failing receiver with the same webhook-id until it answers 2xx', async () => {
    const hook = receiver.endpoint([500, 500]);
    const id = await createHookedJob(app.graphqlUrl, hook.url);
    await gql(app.graphqlUrl, CANCEL, { id });

    await receiver.waitFor(hook.received, 3);
    const ids = hook.received.map((webhook) => webhook.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    for (const webhook of hook.received) expect(verified(webhook).data.jobId).toBe(id);

    const row = await settledDelivery(db, id);
    expect(row).toMatchObject({ id: ids[0], status: 'DELIVERED', attempts: 3 });
    expect(row.last_status_code).toBe(200);

    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/pixelflow_webhook_deliveries_total\{outcome="retried"\} [2-9]/);
    expect(metrics).toMatch(/pixelflow_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
  });
});

describe('webhooks to private addresses', () => {
  let guarded: TestEnvironment;
  let guardedApp: TestApp;
  let guardedDb: pg.Client;

  beforeAll(async () => {
    guarded = await createTestEnvironment();
    guardedApp = await startTestApp(guarded, FAST_WEBHOOKS);
    guardedDb = new pg.Client({ connectionString: guarded.databaseUrl });
    await guardedDb.connect();
  });

  afterAll(async () => {
    await guardedDb?.end();
    await guardedApp?.close();
    await guarded?.drop();
  });

  it('refuses a loopback URL and gives up at once with the reason', async () => {
    expect(guardedApp.config.WEBHOOK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    const hook = receiver.endpoint();
    const id = await createHookedJob(guardedApp.graphqlUrl, hook.url);
    await gql(guardedApp.graphqlUrl, CANCEL, { id });

    const row = await settledDelivery(guardedDb, id);
    expect(row).toMatchObject({ status: 'FAILED', attempts: 1, last_status_code: null });
    expect(row.last_error).toMatch(/^refused: .*127\.0\.0\.1.*private IP address/);
    expect(hook.received).toEqual([]);
  });
});
