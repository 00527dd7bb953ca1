import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { gql } from '../support/graphql-client.ts';
import { createJob, followAndStart, type JobView } from '../support/jobs.ts';
import { CORPUS, useTestApp } from '../support/test-app.ts';

const setup = useTestApp({ LOCAL_SOURCE_DIR: fileURLToPath(CORPUS) });

describe('health and metrics', () => {
  it('reports alive, ready with every dependency, and job metrics', async () => {
    expect(await (await fetch(`${setup.app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${setup.app.url}/healthz`, { method: 'HEAD' })).status).toBe(200);

    const ready = await fetch(`${setup.app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: { postgres: 'ok', redis: 'ok', storage: 'ok' },
    });

    const { job } = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'a', resize: { width: 64 }, format: 'PNG' }],
      localSource: 'kodak/kodim03.png',
    });
    await followAndStart(setup.app.graphqlUrl, job.id);

    // The outcome is counted once the job's last event is out, so allow a moment.
    const succeeded = /pixelflow_jobs_total\{outcome="succeeded"\} [1-9]/;
    let metrics = '';
    for (let i = 0; i < 40 && !succeeded.test(metrics); i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${setup.app.url}/metrics`)).text();
    }
    expect(metrics).toMatch(succeeded);
    expect(metrics).toContain('pixelflow_job_duration_seconds_bucket');
    expect(metrics).toMatch(/pixelflow_queue_depth \d+/);
    expect(metrics).toMatch(/pixelflow_pool_busy_threads \d+/);
  });

  it('serves GraphiQL with its assets from this server, not a CDN', async () => {
    const response = await fetch(setup.app.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('PixelFlow');
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|esm\.sh/);
  });
});

describe('local-file sources', () => {
  it('process a file under the configured folder', async () => {
    const { job } = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'small', resize: { width: 200 }, format: 'JPEG' }],
      localSource: 'exif-orientation/Landscape_8.jpg',
    });
    const last = (await followAndStart(setup.app.graphqlUrl, job.id)).at(-1) as JobView;
    expect(last.status).toBe('SUCCEEDED');
    expect(last.outputs[0]).toMatchObject({ width: 200, height: 133 });
  });

  it.each([
    '../ARCHITECTURE.md',
    '/etc/passwd',
    'kodak/../../STYLE.md',
    'no-such-file.png',
    'kodak',
  ])('refuse %s', async (path) => {
    const result = await createJob(setup.app.graphqlUrl, {
      outputs: [{ id: 'a', format: 'PNG' }],
      localSource: path,
    });
    expect(result).toMatchObject({
      __typename: 'SourceRejectedError',
      code: 'LOCAL_SOURCE_REFUSED',
    });
  });
});

describe('jobs', () => {
  it('pages through your jobs newest first, filtered by status', async () => {
    const owner = 'pager';
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await createJob(setup.app.graphqlUrl, undefined, owner)).job.id);
    }
    await gql(
      setup.app.graphqlUrl,
      'mutation ($id: ID!) { cancelJob(id: $id) { __typename } }',
      { id: ids[1] },
      owner,
    );

    const page = `query ($after: String, $status: JobStatus) {
      jobs(first: 2, after: $after, status: $status) {
        edges { cursor node { id status } }
        pageInfo { hasNextPage endCursor }
      }
    }`;
    type Page = {
      jobs: {
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };

    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i += 1) {
      const result: { data?: Page } = await gql<Page>(setup.app.graphqlUrl, page, { after }, owner);
      const jobs = result.data?.jobs;
      seen.push(...(jobs?.edges.map((edge) => edge.node.id) ?? []));
      if (!jobs?.pageInfo.hasNextPage) break;
      after = jobs.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());

    const canceled = await gql<Page>(setup.app.graphqlUrl, page, { status: 'CANCELED' }, owner);
    expect(canceled.data?.jobs.edges.map((edge) => edge.node.id)).toEqual([ids[1]]);
  });
});

describe('schema.graphql', () => {
  it('is the schema the server serves', async () => {
    const { printSchemaFile } = await import('../../src/schema/print.ts');
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed, 'schema.graphql is stale: run `npm run schema:print`').toBe(
      printSchemaFile(),
    );
  });
});
