import { Redis } from 'ioredis';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { collectSse, collectWs, gql } from '../support/graphql-client.ts';
import {
  FOLLOW_JOB,
  createJob,
  createUploadedJob,
  followAndStart,
  readCorpus,
  startJob,
  upload,
  type JobView,
} from '../support/jobs.ts';
import { REDIS_URL, useTestApp } from '../support/test-app.ts';

const setup = useTestApp();

const statuses = (events: { data?: { jobProgress: JobView } | null }[]) =>
  events.map((event) => event.data?.jobProgress.status);

async function fetchImage(url: string) {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return sharp(Buffer.from(await response.arrayBuffer())).metadata();
}

describe('a job followed to the end', () => {
  it('streams every state over SSE and ends with outputs that are real images', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'exif-orientation/Portrait_6.jpg');
    expect(job.status).toBe('CREATED');

    let started: Promise<Record<string, unknown>> | null = null;
    const events = await collectSse<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id: job.id },
      'alice',
      {
        // The first event is the current state; start only once it arrived.
        onEvent: () => {
          started ??= startJob(setup.app.graphqlUrl, job.id);
        },
      },
    );
    expect(await started).toMatchObject({
      __typename: 'Job',
      status: 'QUEUED',
      source: { bytes: 251800, format: 'JPEG' },
    });
    const seen = statuses(events);
    expect(seen[0]).toBe('CREATED');
    expect(seen).toContain('QUEUED');
    expect(seen).toContain('PROCESSING');
    expect(seen.at(-1)).toBe('SUCCEEDED');

    const done = events.at(-1)?.data?.jobProgress as JobView;
    expect(done.progress).toEqual({ outputsDone: 2, outputsTotal: 2 });
    const byId = Object.fromEntries(done.outputs.map((output) => [output.id, output]));
    // Orientation 6 stores a landscape frame that displays as a 1200×1800 portrait.
    expect(byId.thumb).toMatchObject({ format: 'WEBP', width: 150, height: 225 });
    expect(byId.large).toMatchObject({ format: 'JPEG', width: 720, height: 1080 });

    const thumb = await fetchImage(byId.thumb?.url as string);
    expect(thumb).toMatchObject({ format: 'webp', width: 150, height: 225 });
    const large = await fetchImage(byId.large?.url as string);
    expect(large).toMatchObject({ format: 'jpeg', width: 720, height: 1080, space: 'srgb' });
  });

  it('streams every state over graphql-ws', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim23.png');
    let resolveFirst: () => void = () => {};
    const firstEvent = new Promise<void>((resolve) => (resolveFirst = resolve));

    const following = collectWs<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id: job.id },
      'alice',
      () => resolveFirst(),
    );
    await firstEvent;
    await startJob(setup.app.graphqlUrl, job.id);

    const events = await following;
    expect(statuses(events)[0]).toBe('CREATED');
    expect(statuses(events).at(-1)).toBe('SUCCEEDED');
    const outputs = events.at(-1)?.data?.jobProgress.outputs ?? [];
    expect(outputs.map((o) => [o.id, o.width, o.height])).toEqual([
      ['thumb', 150, 100],
      ['large', 720, 480],
    ]);
  });

  it('completes at once for a job that has already finished', async () => {
    const job = await createJob(setup.app.graphqlUrl);
    await gql(setup.app.graphqlUrl, 'mutation ($id: ID!) { cancelJob(id: $id) { __typename } }', {
      id: job.job.id,
    });
    const events = await collectSse<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id: job.job.id },
      'alice',
    );
    expect(statuses(events)).toEqual(['CANCELED']);
  });
});

describe('sources that cannot be processed', () => {
  it('refuses to start a job whose source was never uploaded', async () => {
    const { job } = await createJob(setup.app.graphqlUrl);
    const result = await startJob(setup.app.graphqlUrl, job.id);
    expect(result).toMatchObject({ __typename: 'SourceRejectedError', code: 'SOURCE_MISSING' });

    const again = await gql<{ job: JobView }>(
      setup.app.graphqlUrl,
      'query ($id: ID!) { job(id: $id) { status } }',
      { id: job.id },
    );
    expect(again.data?.job.status).toBe('CREATED');
  });

  it('refuses an empty upload', async () => {
    const created = await createJob(setup.app.graphqlUrl);
    await upload(created.upload, new Uint8Array(0));
    const result = await startJob(setup.app.graphqlUrl, created.job.id);
    expect(result).toMatchObject({ __typename: 'SourceRejectedError', code: 'SOURCE_EMPTY' });
  });

  it('names the format of an upload that is not an image we accept', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'libvips/small.bmp');
    const result = await startJob(setup.app.graphqlUrl, job.id);
    expect(result).toMatchObject({
      __typename: 'SourceRejectedError',
      code: 'UNSUPPORTED_FORMAT',
      detectedFormat: 'BMP',
    });
    expect(result.message).toContain('detected BMP');
  });

  it('fails a corrupt image with its code, and the next job still succeeds', async () => {
    const corrupt = await createUploadedJob(setup.app.graphqlUrl, 'sharp/truncated.jpg');
    const failed = (await followAndStart(setup.app.graphqlUrl, corrupt.id)).at(-1);
    expect(failed?.status).toBe('FAILED');
    expect(failed?.error?.code).toBe('CORRUPT_IMAGE');
    expect(failed?.outputs).toEqual([]);

    const good = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim01.png');
    expect((await followAndStart(setup.app.graphqlUrl, good.id)).at(-1)?.status).toBe('SUCCEEDED');
  });
});

describe('cancel', () => {
  it('cancels a job before it starts, and refuses to cancel it twice', async () => {
    const { job } = await createJob(setup.app.graphqlUrl);
    const cancel =
      'mutation ($id: ID!) { cancelJob(id: $id) { __typename ' +
      '... on Job { status finishedAt } ... on JobStateError { status allowed message } } }';

    const first = await gql<{ cancelJob: Record<string, unknown> }>(setup.app.graphqlUrl, cancel, {
      id: job.id,
    });
    expect(first.data?.cancelJob).toMatchObject({ __typename: 'Job', status: 'CANCELED' });

    const second = await gql<{ cancelJob: Record<string, unknown> }>(setup.app.graphqlUrl, cancel, {
      id: job.id,
    });
    expect(second.data?.cancelJob).toMatchObject({
      __typename: 'JobStateError',
      status: 'CANCELED',
      allowed: ['CREATED', 'QUEUED', 'PROCESSING'],
    });

    const start = await startJob(setup.app.graphqlUrl, job.id);
    expect(start).toMatchObject({ __typename: 'JobStateError', status: 'CANCELED' });
  });

  it('stops a job that is processing and keeps none of its outputs', async () => {
    // A full-size AVIF of a 3840×2160 photo keeps a worker busy long enough to cancel.
    const created = await createJob(setup.app.graphqlUrl, {
      outputs: [
        { id: 'full', format: 'AVIF', quality: 90 },
        { id: 'full2', format: 'AVIF', quality: 95 },
      ],
    });
    await upload(created.upload, await readCorpus('sharp/gain-map.jpg'));
    const id = created.job.id;

    const cancel =
      'mutation ($id: ID!) { cancelJob(id: $id) { __typename ... on Job { status } } }';
    let started: Promise<unknown> | null = null;
    let canceled: Promise<unknown> | null = null;
    const events = await collectSse<{ jobProgress: JobView }>(
      setup.app.graphqlUrl,
      FOLLOW_JOB,
      { id },
      'alice',
      {
        onEvent: (event) => {
          started ??= startJob(setup.app.graphqlUrl, id);
          if (event.data?.jobProgress.status === 'PROCESSING') {
            canceled ??= gql(setup.app.graphqlUrl, cancel, { id });
          }
        },
      },
    );
    await started;
    expect(statuses(events)).toContain('PROCESSING');
    expect(statuses(events).at(-1)).toBe('CANCELED');
    await canceled;

    // Give the dispatcher time to see the refusal; nothing may be recorded.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const after = await gql<{ job: JobView }>(
      setup.app.graphqlUrl,
      'query ($id: ID!) { job(id: $id) { status outputs { id } } }',
      { id },
    );
    expect(after.data?.job).toEqual({ status: 'CANCELED', outputs: [] });
  });
});

describe('subscriptions', () => {
  it('release their Redis subscription as soon as the client goes away', async () => {
    const { job } = await createJob(setup.app.graphqlUrl);
    const channel = `${setup.app.config.REDIS_KEY_PREFIX}job:${job.id}`;
    const redis = new Redis(REDIS_URL);
    const subscribers = async () => {
      const reply = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(reply[1]);
    };

    const leave = new AbortController();
    let firstEvent: () => void = () => {};
    const gotFirst = new Promise<void>((resolve) => (firstEvent = resolve));
    const following = collectSse(setup.app.graphqlUrl, FOLLOW_JOB, { id: job.id }, 'alice', {
      onEvent: () => firstEvent(),
      signal: leave.signal,
    }).catch(() => []);
    await gotFirst;
    expect(await subscribers()).toBe(1);

    // The job never changes again: only the client leaving can end this.
    leave.abort();
    await following;
    for (let i = 0; i < 50 && (await subscribers()) > 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await subscribers()).toBe(0);
    await redis.quit();
  });

  it('follow a job named by its id in capitals', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim03.png');
    const events = await followAndStart(setup.app.graphqlUrl, job.id.toUpperCase());
    expect(events.at(-1)?.status).toBe('SUCCEEDED');
  });
});

describe('placeholders', () => {
  it('come with the job when asked for, made from the same decode', async () => {
    const created = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'thumb', resize: { width: 64 }, format: 'WEBP' }],
      placeholders: true,
    });
    await upload(created.upload, await readCorpus('kodak/kodim23.png'));
    const last = (await followAndStart(setup.app.graphqlUrl, created.job.id)).at(-1);
    expect(last?.status).toBe('SUCCEEDED');

    const query = 'query ($id: ID!) { job(id: $id) { placeholder { dominantColour thumbHash } } }';
    const result = await gql<{
      job: { placeholder: { dominantColour: string; thumbHash: string } };
    }>(setup.app.graphqlUrl, query, { id: created.job.id });
    const placeholder = result.data?.job.placeholder;
    expect(placeholder?.dominantColour).toMatch(/^#[0-9a-f]{6}$/);
    expect(Buffer.from(placeholder?.thumbHash ?? '', 'base64').length).toBeGreaterThan(10);
  });

  it('are absent unless asked for', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'kodak/kodim03.png');
    await followAndStart(setup.app.graphqlUrl, job.id);
    const result = await gql(
      setup.app.graphqlUrl,
      'query ($id: ID!) { job(id: $id) { placeholder { thumbHash } } }',
      {
        id: job.id,
      },
    );
    expect(result).toEqual({ data: { job: { placeholder: null } } });
  });
});
