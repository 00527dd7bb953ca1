import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { createJob, followAndStart, upload } from '../support/jobs.ts';
import { useTestApp } from '../support/test-app.ts';

const setup = useTestApp();

/** Over 64 MiB, where the storage client would switch to a multipart upload. */
const MULTIPART_THRESHOLD = 64 * 1024 * 1024;

/** A 4200 × 4200 RGBA gradient: a small PNG that decodes to 70 MB. */
async function gradientPng(side: number): Promise<Uint8Array> {
  const corners = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 64, 255, 255, 0, 255]);
  const png = await sharp(corners, { raw: { width: 2, height: 2, channels: 4 } })
    .resize(side, side, { fit: 'fill', kernel: 'linear' })
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

describe('outputs larger than 64 MiB', () => {
  it('are stored on the first attempt, with the embedded storage server too', async () => {
    const created = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'raw', format: 'PNG', png: { compressionLevel: 0 } }],
    });
    const response = await upload(created.upload, await gradientPng(4200));
    expect(response.ok).toBe(true);

    const last = (await followAndStart(setup.app.graphqlUrl, created.job.id)).at(-1);

    expect(last).toMatchObject({ status: 'SUCCEEDED', attempt: 1 });
    const output = last?.outputs[0];
    expect(output).toMatchObject({ width: 4200, height: 4200 });
    expect(output?.bytes).toBeGreaterThan(MULTIPART_THRESHOLD);

    const stored = await fetch(output?.url ?? '');
    expect((await stored.arrayBuffer()).byteLength).toBe(output?.bytes);
  }, 60_000);
});
