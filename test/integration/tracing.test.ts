import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { SpanStatusCode } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerTracing, type Tracing } from '../../src/tracing.ts';
import { gql } from '../support/graphql-client.ts';
import { createUploadedJob } from '../support/jobs.ts';
import {
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';

const START = `mutation ($id: ID!) { startJob(id: $id) { __typename ... on Job { status } } }`;
const STATUS = `query ($id: ID!) { job(id: $id) { status } }`;

// A 32×32 PNG fits under the pixel limit below; a 768×512 photo does not.
const SMALL = 'pngsuite/basn6a08.png';
const TOO_LARGE = 'kodak/kodim23.png';

describe('tracing a job from startJob to its processing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let environment: TestEnvironment;
  let app: TestApp;

  beforeAll(async () => {
    tracing = registerTracing('pixelflow-test', new SimpleSpanProcessor(exporter));
    environment = await createTestEnvironment();
    app = await startTestApp(environment, { MAX_INPUT_PIXELS: '100000' });
  });
  afterAll(async () => {
    await app?.close();
    await environment?.drop();
    await tracing?.shutdown();
  });

  const spans = () => exporter.getFinishedSpans();
  const spanId = (span: ReadableSpan) => span.spanContext().spanId;
  const traceId = (span: ReadableSpan) => span.spanContext().traceId;

  async function startAndWait(id: string, headers: Record<string, string> = {}) {
    const response = await fetch(app.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'alice', ...headers },
      body: JSON.stringify({ query: START, variables: { id } }),
    });
    expect(await response.json()).toMatchObject({ data: { startJob: { __typename: 'Job' } } });

    const deadline = Date.now() + 20_000;
    for (;;) {
      const jobSpan = spans().find(
        (span) => span.name === 'job.process' && span.attributes['pixelflow.job.id'] === id,
      );
      if (jobSpan) return jobSpan;
      if (Date.now() > deadline) throw new Error(`no job.process span for job ${id}`);
      await sleep(100);
    }
  }

  it('makes the job span a child of the startJob span, with its steps as children', async () => {
    const job = await createUploadedJob(app.graphqlUrl, SMALL);
    const jobSpan = await startAndWait(job.id);

    const startSpan = spans().find(
      (span) => span.name === 'startJob' && span.attributes['pixelflow.job.id'] === job.id,
    );
    expect(startSpan).toBeDefined();
    const request = spans().find(
      (span) => span.name === 'mutation startJob' && traceId(span) === traceId(startSpan!),
    );
    expect(request).toBeDefined();
    expect(startSpan!.parentSpanContext?.spanId).toBe(spanId(request!));

    expect(traceId(jobSpan)).toBe(traceId(startSpan!));
    expect(jobSpan.parentSpanContext?.spanId).toBe(spanId(startSpan!));
    expect(jobSpan.attributes).toMatchObject({
      'pixelflow.job.id': job.id,
      'pixelflow.job.attempt': 1,
      'pixelflow.job.outputs': 2,
      'pixelflow.job.outcome': 'succeeded',
    });
    expect(jobSpan.status.code).not.toBe(SpanStatusCode.ERROR);

    const steps = spans()
      .filter((span) => span.parentSpanContext?.spanId === spanId(jobSpan))
      .map((span) => span.name);
    expect(steps).toEqual([
      'job.source.download',
      'job.pool.process',
      'job.outputs.upload',
      'job.terminal.write',
    ]);

    const { data } = await gql<{ job: { status: string } }>(app.graphqlUrl, STATUS, {
      id: job.id,
    });
    expect(data?.job.status).toBe('SUCCEEDED');
  });

  it('continues the trace a client sends in traceparent', async () => {
    const job = await createUploadedJob(app.graphqlUrl, SMALL);
    const clientTrace = randomBytes(16).toString('hex');
    const clientSpan = randomBytes(8).toString('hex');
    const jobSpan = await startAndWait(job.id, {
      traceparent: `00-${clientTrace}-${clientSpan}-01`,
    });

    expect(traceId(jobSpan)).toBe(clientTrace);
    const request = spans().find(
      (span) => span.name === 'mutation startJob' && traceId(span) === clientTrace,
    );
    expect(request?.parentSpanContext?.spanId).toBe(clientSpan);
  });

  it('gives a failed job span error status and its error code', async () => {
    const job = await createUploadedJob(app.graphqlUrl, TOO_LARGE);
    const jobSpan = await startAndWait(job.id);

    expect(jobSpan.status.code).toBe(SpanStatusCode.ERROR);
    expect(jobSpan.attributes['pixelflow.job.outcome']).toBe('failed');
    expect(jobSpan.attributes['pixelflow.job.error_code']).toEqual(expect.any(String));

    const { data } = await gql<{ job: { status: string } }>(app.graphqlUrl, STATUS, {
      id: job.id,
    });
    expect(data?.job.status).toBe('FAILED');
  });
});
