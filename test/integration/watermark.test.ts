import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { gql } from '../support/graphql-client.ts';
import { createJob, followAndStart, readCorpus, startJob, upload } from '../support/jobs.ts';
import { useTestApp } from '../support/test-app.ts';

const setup = useTestApp();

const SOURCE = 'kodak/kodim23.png'; // 768 × 512; outputs here are 400 × 267

const CREATE_WATERMARK_UPLOAD = `mutation {
  createWatermarkUpload {
    ... on WatermarkUploadPayload {
      assetId upload { url method headers { name value } expiresAt }
    }
  }
}`;

const REJECTED = `mutation ($id: ID!) {
  startJob(id: $id) {
    __typename
    ... on WatermarkRejectedError { code assetId message detectedFormat }
  }
}`;

interface WatermarkUpload {
  assetId: string;
  upload: { url: string; method: string; headers: { name: string; value: string }[] };
}

async function createWatermarkUpload(owner = 'alice'): Promise<WatermarkUpload> {
  const result = await gql<{ createWatermarkUpload: WatermarkUpload }>(
    setup.app.graphqlUrl, CREATE_WATERMARK_UPLOAD, {}, owner,
  );
  if (!result.data) throw new Error(`createWatermarkUpload: ${JSON.stringify(result.errors)}`);
  return result.data.createWatermarkUpload;
}

async function redSquarePng(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 64, channels: 4, background: '#ff0000' } })
    .png()
    .toBuffer();
}

async function uploadedWatermark(body: Uint8Array, owner = 'alice'): Promise<string> {
  const grant = await createWatermarkUpload(owner);
  expect(grant.upload.method).toBe('PUT');
  const response = await upload(grant.upload, body);
  expect(response.ok).toBe(true);
  return grant.assetId;
}

/** Mean red, green and blue of one region of an encoded image. */
async function regionMeans(
  data: Buffer,
  region: { left: number; top: number; width: number; height: number },
): Promise<number[]> {
  const crop = await sharp(data).extract(region).removeAlpha().png().toBuffer();
  return (await sharp(crop).stats()).channels.slice(0, 3).map((channel) => channel.mean);
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

/** A job with the given outputs whose source has been uploaded. */
async function uploadedJob(outputs: unknown[], owner = 'alice'): Promise<string> {
  const created = await createJob(setup.app.graphqlUrl, { outputs }, owner);
  expect(created.__typename).toBe('CreateJobPayload');
  await upload(created.upload, await readCorpus(SOURCE));
  return created.job.id;
}

const CORNER = { left: 300, top: 167, width: 100, height: 100 };
const FAR = { left: 0, top: 0, width: 100, height: 100 };

describe('watermarks end to end', () => {
  it('draws an uploaded image and a text watermark on the outputs of a job', async () => {
    const assetId = await uploadedWatermark(await redSquarePng());
    const id = await uploadedJob([
      { id: 'plain', format: 'PNG', resize: { width: 400 } },
      {
        id: 'logo',
        format: 'PNG',
        resize: { width: 400 },
        watermark: { image: { assetId }, gravity: 'RIGHT_BOTTOM', margin: 0, size: 0.25,
          opacity: 1 },
      },
      {
        id: 'credit',
        format: 'JPEG',
        resize: { width: 400 },
        watermark: { text: { text: '© <PixelFlow>', colour: '#00ff00' }, gravity: 'CENTRE',
          size: 0.8, opacity: 1 },
      },
    ]);

    const events = await followAndStart(setup.app.graphqlUrl, id);
    const done = events.at(-1);
    expect(done?.error).toBeNull();
    expect(done?.status).toBe('SUCCEEDED');
    const urls = Object.fromEntries((done?.outputs ?? []).map((o) => [o.id, o.url]));
    const [plain, logo, credit] = await Promise.all(
      ['plain', 'logo', 'credit'].map((output) => download(urls[output] ?? '')),
    );
    if (!plain || !logo || !credit) throw new Error('missing output');

    const [red = 0, green = 0] = await regionMeans(logo, CORNER);
    expect(red).toBeGreaterThan(250);
    expect(green).toBeLessThan(5);
    const [farBefore, farAfter] = await Promise.all([regionMeans(plain, FAR),
      regionMeans(logo, FAR)]);
    expect(farAfter).toEqual(farBefore);

    // A 320-px line of green text across the middle.
    const middle = { left: 60, top: 110, width: 280, height: 47 };
    const [, before = 0] = await regionMeans(plain, middle);
    const [, after = 0] = await regionMeans(credit, middle);
    expect(after - before).toBeGreaterThan(15);
  });

  it('refuses at startJob a watermark asset of another owner, as if it did not exist', async () => {
    const assetId = await uploadedWatermark(await redSquarePng(), 'alice');
    const id = await uploadedJob(
      [{ id: 'o', format: 'PNG', watermark: { image: { assetId } } }],
      'bob',
    );

    const result = await gql<{ startJob: Record<string, unknown> }>(
      setup.app.graphqlUrl, REJECTED, { id }, 'bob',
    );
    expect(result.data?.startJob).toMatchObject({
      __typename: 'WatermarkRejectedError',
      code: 'SOURCE_MISSING',
      assetId,
    });
  });

  it('refuses at startJob a watermark asset that is not an image, and starts once it is',
    async () => {
      const grant = await createWatermarkUpload();
      const { assetId } = grant;
      await upload(grant.upload, new TextEncoder().encode('not an image at all'));
      const outputs = [{ id: 'o', format: 'PNG', watermark: { image: { assetId } } }];
      const id = await uploadedJob(outputs);

      const result = await gql<{ startJob: Record<string, unknown> }>(
        setup.app.graphqlUrl, REJECTED, { id },
      );
      expect(result.data?.startJob).toMatchObject({
        __typename: 'WatermarkRejectedError',
        code: 'UNSUPPORTED_FORMAT',
        assetId,
      });
      expect(String(result.data?.startJob.message)).toContain(assetId);

      // The job stayed CREATED: the same grant replaces the asset, and it starts.
      await upload(grant.upload, await redSquarePng());
      const started = await startJob(setup.app.graphqlUrl, id);
      expect(started).toMatchObject({ __typename: 'Job', status: 'QUEUED' });
    });
});
