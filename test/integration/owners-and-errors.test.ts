import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { collectSse, gql } from '../support/graphql-client.ts';
import { FOLLOW_JOB, createJob, createUploadedJob, startJob, upload } from '../support/jobs.ts';
import { startTestApp, useTestApp } from '../support/test-app.ts';

const setup = useTestApp({ SOURCE_MAX_BYTES: '300000' });

describe('owners', () => {
  it('hides a job from every other owner, in reads, writes and subscriptions', async () => {
    const { job } = await createJob(setup.app.graphqlUrl, undefined, 'alice');

    const read = await gql(
      setup.app.graphqlUrl,
      'query ($id: ID!) { job(id: $id) { id } }',
      { id: job.id },
      'mallory',
    );
    expect(read).toEqual({ data: { job: null } });

    const list = await gql<{ jobs: { edges: unknown[] } }>(
      setup.app.graphqlUrl,
      '{ jobs(first: 10) { edges { node { id } } } }',
      {},
      'mallory',
    );
    expect(list.data?.jobs.edges).toEqual([]);

    const start = await startJob(setup.app.graphqlUrl, job.id, 'mallory');
    expect(start).toMatchObject({ __typename: 'JobNotFoundError' });

    const cancel = await gql<{ cancelJob: { __typename: string } }>(
      setup.app.graphqlUrl,
      'mutation ($id: ID!) { cancelJob(id: $id) { __typename } }',
      { id: job.id },
      'mallory',
    );
    expect(cancel.data?.cancelJob.__typename).toBe('JobNotFoundError');

    const events = await collectSse(setup.app.graphqlUrl, FOLLOW_JOB, { id: job.id }, 'mallory');
    expect(events[0]?.errors?.[0]?.extensions?.code).toBe('JOB_NOT_FOUND');

    const own = await gql<{ job: { id: string } }>(
      setup.app.graphqlUrl,
      'query ($id: ID!) { job(id: $id) { id } }',
      { id: job.id },
      'alice',
    );
    expect(own.data?.job.id).toBe(job.id);
  });

  it.each([null, '', 'a'.repeat(129), 'has space', 'ümlaut'])(
    'asks a request with user id %j to name itself properly',
    async (owner) => {
      const query = '{ jobs(first: 1) { edges { cursor } } }';
      const result = await gql(setup.app.graphqlUrl, query, {}, owner);
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(result.errors?.[0]?.message).toContain('x-user-id');
    },
  );

  it('treats a malformed id as a job that does not exist', async () => {
    const result = await gql(setup.app.graphqlUrl, '{ job(id: "../../etc") { id } }');
    expect(result).toEqual({ data: { job: null } });
    expect(await startJob(setup.app.graphqlUrl, "1' or '1'='1")).toMatchObject({
      __typename: 'JobNotFoundError',
    });
  });
});

describe('createJob input', () => {
  it('names every invalid field with the accepted range and the value received', async () => {
    const result = await createJob(setup.app.graphqlUrl, {
      outputs: [
        { id: 'a', resize: { width: 0 }, format: 'JPEG', quality: 101 },
        { id: 'a', resize: {}, format: 'PNG' },
        { id: 'bad id!', format: 'WEBP' },
      ],
      webhookUrl: 'ftp://example.test/hook',
    });
    expect(result.__typename).toBe('InvalidInputError');
    const issues = result.issues as { path: string[]; accepted: string; received: string }[];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: ['outputs', '0', 'resize', 'width'],
          accepted: '1..16383',
          received: '0',
        }),
        expect.objectContaining({
          path: ['outputs', '0', 'quality'],
          accepted: '1..100',
          received: '101',
        }),
        expect.objectContaining({ path: ['outputs', '1', 'id'], received: '"a"' }),
        expect.objectContaining({ path: ['outputs', '1', 'resize'] }),
        expect.objectContaining({ path: ['outputs', '2', 'id'], received: '"bad id!"' }),
        expect.objectContaining({ path: ['webhookUrl'] }),
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it('refuses a job with no outputs', async () => {
    const result = await createJob(setup.app.graphqlUrl, { outputs: [] });
    expect(result).toMatchObject({ __typename: 'InvalidInputError' });
  });

  it('refuses a local-file source when the server does not enable it', async () => {
    const result = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'a', format: 'PNG' }],
      localSource: 'x.png',
    });
    expect(result).toMatchObject({
      __typename: 'SourceRejectedError',
      code: 'LOCAL_SOURCE_REFUSED',
    });
  });
});

describe('upload grants', () => {
  it('stop working once they expire', async () => {
    const shortLived = await startTestApp(setup.environment, { UPLOAD_URL_TTL_SECONDS: '1' });
    try {
      const created = await createJob(shortLived.graphqlUrl);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const response = await upload(created.upload, new Uint8Array([0xff, 0xd8, 0xff]));
      expect(response.status).toBe(403);
    } finally {
      await shortLived.close();
    }
  });

  it('are the only way in: storage refuses anonymous reads, writes and listings', async () => {
    const created = await createJob(setup.app.graphqlUrl);
    const origin = new URL(created.upload?.url ?? '').origin;
    const anonymous = [
      fetch(`${origin}/pixelflow?list-type=2`),
      fetch(`${origin}/pixelflow/${'sources'}/${created.job.id}`),
      fetch(`${origin}/pixelflow/outputs/${created.job.id}/a.png`, { method: 'PUT', body: 'x' }),
    ];
    for (const response of await Promise.all(anonymous)) expect(response.status).toBe(403);
  });

  it('are refused for another key when the signature is altered', async () => {
    const created = await createJob(setup.app.graphqlUrl);
    const grant = created.upload as { url: string; headers: [] };
    const retargeted = { ...grant, url: grant.url.replace(/sources\/[^?]+/, 'sources/other') };
    expect((await upload(retargeted, new Uint8Array([1]))).status).toBe(403);
  });

  it('lead to SOURCE_TOO_LARGE when the upload is over the limit', async () => {
    const job = await createUploadedJob(setup.app.graphqlUrl, 'exif-orientation/Landscape_1.jpg');
    const result = await startJob(setup.app.graphqlUrl, job.id);
    expect(result).toMatchObject({
      __typename: 'SourceRejectedError',
      code: 'SOURCE_TOO_LARGE',
      bytes: 347327,
      maxBytes: 300000,
    });
  });
});

describe('hostile operations', () => {
  it('over WebSocket fail alone, leaving the connection and the rest open', async () => {
    const client = createClient({
      url: setup.app.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { 'x-user-id': 'alice' },
      retryAttempts: 0,
    });
    const run = (query: string) =>
      new Promise<unknown[]>((resolve) => {
        const seen: unknown[] = [];
        client.subscribe(
          { query },
          {
            next: (value) => seen.push(value),
            error: (error: unknown) => resolve([...seen, { error }]),
            complete: () => resolve(seen),
          },
        );
      });
    try {
      const broken = await run('{ jobs(first: 1) { edges');
      expect(JSON.stringify(broken)).toContain('Syntax Error');
      const fine = await run('{ jobs(first: 1) { edges { cursor } } }');
      expect(fine).toEqual([{ data: { jobs: { edges: expect.any(Array) } } }]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses an operation with too many aliases before running it', async () => {
    const fields = Array.from(
      { length: 50 },
      (_, i) => `a${i}: jobs(first: 100) { edges { cursor } }`,
    );
    const result = await gql(setup.app.graphqlUrl, `{ ${fields.join(' ')} }`);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('refuses a huge document', async () => {
    const result = await gql(setup.app.graphqlUrl, `{ ${'__typename '.repeat(5000)} }`);
    expect(result.errors?.[0]?.message).toMatch(/token/i);
  });

  it('refuses a cursor that is not one', async () => {
    const result = await gql(
      setup.app.graphqlUrl,
      '{ jobs(first: 2, after: "bogus") { edges { cursor } } }',
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a page that would cost too much to resolve', async () => {
    const result = await gql(setup.app.graphqlUrl, '{ jobs(first: 1000000) { edges { cursor } } }');
    expect(result.errors?.[0]?.message).toMatch(/cost limit/i);
  });

  it('caps a page at 100 jobs however many are asked for', async () => {
    const result = await gql(setup.app.graphqlUrl, '{ jobs(first: 150) { edges { cursor } } }');
    expect(result.errors ?? []).toEqual([]);
  });
});
