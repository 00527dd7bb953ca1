import exifReader from 'exif-reader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { gql } from '../support/graphql-client.ts';
import { createJob, followAndStart, readCorpus, upload } from '../support/jobs.ts';
import { useTestApp } from '../support/test-app.ts';

const setup = useTestApp();

// A 480 × 369 Canon photo with camera EXIF.
const SOURCE = 'sharp/Landscape_9.jpg';

const OUTPUTS = [
  { id: 'auto', format: 'AUTO', resize: { width: 200 } },
  {
    id: 'square',
    format: 'WEBP',
    resize: { width: 120, height: 120, fit: 'COVER', gravity: 'ATTENTION' },
  },
  {
    id: 'detail',
    format: 'PNG',
    resize: { width: 100 },
    geometry: { crop: { left: 40, top: 20, width: 200, height: 150 }, rotate: { angle: 90 } },
    adjust: { grayscale: true, sharpen: 1 },
    png: { palette: true },
  },
  {
    id: 'print',
    format: 'JPEG',
    resize: { width: 300, height: 300, fit: 'CONTAIN', background: '#102030' },
    jpeg: { progressive: true, chromaSubsampling: 'CHROMA_444' },
    keepMetadata: { exif: true },
  },
];

const JOB_OUTPUTS = `query ($id: ID!) {
  job(id: $id) {
    source { bytes }
    requestedOutputs { id format resize { position gravity } }
    outputs { id format requestedFormat width height bytes bytesSaved url }
  }
}`;

interface OutputView {
  id: string;
  format: string;
  requestedFormat: string;
  width: number;
  height: number;
  bytes: number;
  bytesSaved: number;
  url: string;
}

interface AnimationView {
  id: string;
  format: string;
  width: number;
  height: number;
  frames: number;
  loopCount: number | null;
  durationMs: number | null;
  url: string;
}

async function fetchImage(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('output options end to end', () => {
  it('makes every option group through createJob, upload, start and the subscription', async () => {
    const created = await createJob(setup.app.graphqlUrl, { outputs: OUTPUTS });
    expect(created.__typename).toBe('CreateJobPayload');
    await upload(created.upload, await readCorpus(SOURCE));

    const events = await followAndStart(setup.app.graphqlUrl, created.job.id);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');

    const read = await gql<{ job: { source: { bytes: number }; outputs: OutputView[] } }>(
      setup.app.graphqlUrl,
      JOB_OUTPUTS,
      { id: created.job.id },
    );
    const job = read.data?.job;
    const byId = Object.fromEntries((job?.outputs ?? []).map((output) => [output.id, output]));
    const sourceBytes = job?.source.bytes ?? 0;

    const auto = byId.auto as OutputView;
    expect(auto.requestedFormat).toBe('AUTO');
    expect(['AVIF', 'WEBP', 'JPEG']).toContain(auto.format);
    expect([auto.width, auto.height]).toEqual([200, 154]);
    for (const output of Object.values(byId)) {
      expect(output.bytesSaved).toBe(sourceBytes - output.bytes);
    }

    const square = await sharp(await fetchImage((byId.square as OutputView).url)).metadata();
    expect(square).toMatchObject({ format: 'webp', width: 120, height: 120 });

    // 200 × 150 turned a quarter is 150 × 200; 100 wide is 100 × 133.
    const detailBytes = await fetchImage((byId.detail as OutputView).url);
    const detail = await sharp(detailBytes).metadata();
    expect(detail).toMatchObject({ format: 'png', width: 100, height: 133, isPalette: true });
    // One sharp pipeline would rotate before it extracts, so the reference runs in steps.
    const region = await sharp(await readCorpus(SOURCE))
      .extract({ left: 40, top: 20, width: 200, height: 150 })
      .png()
      .toBuffer();
    const turned = await sharp(region).rotate(90).png().toBuffer();
    const reference = await sharp(turned)
      .resize(100)
      .sharpen({ sigma: 1 })
      .greyscale()
      .png()
      .toBuffer();
    expect(await greyDistance(detailBytes, reference)).toBeLessThan(4);

    const print = await fetchImage((byId.print as OutputView).url);
    const printMeta = await sharp(print).metadata();
    expect(printMeta).toMatchObject({
      format: 'jpeg',
      width: 300,
      height: 300,
      isProgressive: true,
      chromaSubsampling: '4:4:4',
    });
    expect(exifReader(printMeta.exif ?? Buffer.alloc(0)).Image?.Make).toBe('Canon');
  });

  it('keeps an animated GIF animated in GIF and WEBP; a JPEG is its first frame', async () => {
    // 370 × 285, 10 frames, plays 3 times.
    const file = 'sharp/animated-loop-3.gif';
    const created = await createJob(setup.app.graphqlUrl, {
      outputs: [
        { id: 'gif', format: 'GIF', resize: { width: 185 }, gif: { colours: 128, dither: 0.5 } },
        { id: 'webp', format: 'WEBP', resize: { width: 185 } },
        { id: 'jpeg', format: 'JPEG', resize: { width: 185 } },
        { id: 'tiff', format: 'TIFF', resize: { width: 185 }, tiff: { compression: 'DEFLATE' } },
      ],
    });
    expect(created.__typename).toBe('CreateJobPayload');
    const source = await readCorpus(file);
    await upload(created.upload, source);

    const events = await followAndStart(setup.app.graphqlUrl, created.job.id);
    expect(events.at(-1)?.status).toBe('SUCCEEDED');

    const read = await gql<{ job: { outputs: AnimationView[] } }>(
      setup.app.graphqlUrl,
      `query ($id: ID!) {
        job(id: $id) { outputs { id format width height frames loopCount durationMs url } }
      }`,
      { id: created.job.id },
    );
    const byId = Object.fromEntries((read.data?.job.outputs ?? []).map((o) => [o.id, o]));
    const played = await sharp(source).metadata();
    const duration = (played.delay ?? []).reduce((sum, ms) => sum + ms, 0);

    for (const id of ['gif', 'webp']) {
      const output = byId[id] as AnimationView;
      const meta = await sharp(await fetchImage(output.url)).metadata();
      expect(output).toMatchObject({ width: 185, height: 143, frames: 10, loopCount: 3 });
      expect(output.durationMs).toBe(duration);
      expect({ id, pages: meta.pages, loop: meta.loop, delay: meta.delay }).toEqual({
        id,
        pages: 10,
        loop: 3,
        delay: played.delay,
      });
    }

    const jpeg = byId.jpeg as AnimationView;
    expect(jpeg).toMatchObject({ format: 'JPEG', frames: 1, loopCount: null, durationMs: null });
    const first = await sharp(source, { page: 0 }).png().toBuffer();
    const last = await sharp(source, { page: 9 }).png().toBuffer();
    const still = await fetchImage(jpeg.url);
    expect(await greyDistance(still, first)).toBeLessThan(1.5);
    expect(await greyDistance(still, last)).toBeGreaterThan(3);

    const tiff = await sharp(await fetchImage((byId.tiff as AnimationView).url)).metadata();
    expect(tiff).toMatchObject({ format: 'tiff', width: 185, height: 143 });
  });

  it('refuses invalid options with the path, the range and the value', async () => {
    const result = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'o', format: 'PNG', adjust: { blur: 5000 }, jpeg: { progressive: true } }],
    });

    expect(result).toMatchObject({
      __typename: 'InvalidInputError',
      issues: [
        { path: ['outputs', '0', 'adjust', 'blur'], accepted: '0.3..1000', received: '5000' },
        { path: ['outputs', '0', 'jpeg'], accepted: 'only options for PNG' },
      ],
    });
  });
});

/** Mean absolute difference of 32 × 32 grey thumbnails, 0 (same) to 255. */
async function greyDistance(a: Buffer, b: Buffer): Promise<number> {
  const thumb = (input: Buffer) =>
    sharp(input).resize(32, 32, { fit: 'fill' }).greyscale().raw().toBuffer();
  const [left, right] = await Promise.all([thumb(a), thumb(b)]);
  let total = 0;
  for (let i = 0; i < left.length; i += 1) total += Math.abs((left[i] ?? 0) - (right[i] ?? 0));
  return total / left.length;
}
