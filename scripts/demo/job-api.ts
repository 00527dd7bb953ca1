import { setTimeout as sleep } from 'node:timers/promises';

import { z } from 'zod';

import type { GraphQLClient } from './graphql-client.ts';
import { outputInputs } from './requested-outputs.ts';

const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELED'];

const JOB_FIELDS = `
  id status
  error { code message }
  source { format bytes }
  progress { outputsDone outputsTotal }
  outputs { id format width height bytes url }`;

const JobSchema = z.object({
  id: z.string(),
  status: z.string(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  source: z.object({ format: z.string().nullable(), bytes: z.number().nullable() }),
  progress: z.object({ outputsDone: z.number(), outputsTotal: z.number() }),
  outputs: z.array(
    z.object({
      id: z.string(),
      format: z.string(),
      width: z.number(),
      height: z.number(),
      bytes: z.number(),
      url: z.string(),
    }),
  ),
});

export type Job = z.infer<typeof JobSchema>;
export type JobOutput = Job['outputs'][number];

const UploadGrantSchema = z.object({
  url: z.string(),
  method: z.string(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
});

export type UploadGrant = z.infer<typeof UploadGrantSchema>;

/** Any member of a result union other than the success: its typename and message. */
const ErrorFields = { message: z.string() };

const SourceRejectedSchema = z.object({
  __typename: z.literal('SourceRejectedError'),
  code: z.string(),
  detectedFormat: z.string().nullable(),
  ...ErrorFields,
});

export type SourceRejected = z.infer<typeof SourceRejectedSchema>;

/** The caller's bucket is empty: the same call may succeed `retryAfter` seconds later. */
const RateLimitedSchema = z.object({
  __typename: z.literal('RateLimitedError'),
  retryAfter: z.number(),
  ...ErrorFields,
});

/** A failure reported by its name and message. */
const otherError = <Name extends string>(name: Name) =>
  z.object({ __typename: z.literal(name), ...ErrorFields });

const CreateJobSchema = z.object({
  createJob: z.discriminatedUnion('__typename', [
    z.object({
      __typename: z.literal('CreateJobPayload'),
      job: JobSchema,
      upload: UploadGrantSchema.nullable(),
    }),
    SourceRejectedSchema,
    RateLimitedSchema,
    otherError('InvalidInputError'),
    otherError('PresetNotFoundError'),
  ]),
});

const StartJobSchema = z.object({
  startJob: z.discriminatedUnion('__typename', [
    JobSchema.extend({ __typename: z.literal('Job') }),
    SourceRejectedSchema,
    RateLimitedSchema,
    otherError('JobNotFoundError'),
    otherError('JobStateError'),
    otherError('WatermarkRejectedError'),
  ]),
});

const JobProgressSchema = z.object({ jobProgress: JobSchema });

const CREATE_JOB = `mutation CreateJob($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobPayload {
      job { ${JOB_FIELDS} }
      upload { url method headers { name value } }
    }
    ... on Error { message }
    ... on SourceRejectedError { code detectedFormat }
    ... on RateLimitedError { retryAfter }
  }
}`;

const START_JOB = `mutation StartJob($id: ID!) {
  startJob(id: $id) {
    __typename
    ... on Job { ${JOB_FIELDS} }
    ... on Error { message }
    ... on SourceRejectedError { code detectedFormat }
    ... on RateLimitedError { retryAfter }
  }
}`;

const JOB_PROGRESS = `subscription JobProgress($id: ID!) {
  jobProgress(id: $id) { ${JOB_FIELDS} }
}`;

export type StartJobOutcome =
  | { kind: 'queued'; job: Job }
  | { kind: 'rejected'; error: SourceRejected };

export function isTerminal(status: string): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** The three operations a user runs to get an image processed. */
export interface JobApi {
  createJob(signal: AbortSignal): Promise<{ job: Job; upload: UploadGrant }>;
  /** The queued job, or the SourceRejectedError that kept it CREATED. */
  startJob(id: string, signal: AbortSignal): Promise<StartJobOutcome>;
  /** The job now, then every change until it finishes. */
  followJob(id: string, signal: AbortSignal): AsyncGenerator<Job>;
}

export function createJobApi(client: GraphQLClient): JobApi {
  return {
    async createJob(signal) {
      const input = { outputs: outputInputs() };
      const result = await whenAllowed(signal, async () =>
        CreateJobSchema.parse(await client.request(CREATE_JOB, { input }, signal)).createJob);
      if (result.__typename !== 'CreateJobPayload') {
        throw new Error(`createJob returned ${result.__typename}: ${result.message}`);
      }
      if (result.upload === null) throw new Error('createJob returned no upload grant');
      return { job: result.job, upload: result.upload };
    },

    async startJob(id, signal) {
      const result = await whenAllowed(signal, async () =>
        StartJobSchema.parse(await client.request(START_JOB, { id }, signal)).startJob);
      if (result.__typename === 'Job') return { kind: 'queued', job: result };
      if (result.__typename === 'SourceRejectedError') return { kind: 'rejected', error: result };
      throw new Error(`startJob returned ${result.__typename}: ${result.message}`);
    },

    async *followJob(id, signal) {
      for await (const data of client.subscribe(JOB_PROGRESS, { id }, signal)) {
        yield JobProgressSchema.parse(data).jobProgress;
      }
    },
  };
}

/**
 * Runs a call again, after the wait it names, for as long as it answers
 * RateLimitedError: the demo sends more jobs than a caller's burst allows.
 */
async function whenAllowed<Result extends { __typename: string }>(
  signal: AbortSignal,
  call: () => Promise<Result>,
): Promise<Exclude<Result, { __typename: 'RateLimitedError' }>> {
  for (;;) {
    const result = await call();
    if (!isRateLimited(result)) {
      return result as Exclude<Result, { __typename: 'RateLimitedError' }>;
    }
    await sleep(Math.ceil(result.retryAfter * 1000), null, { signal });
  }
}

function isRateLimited(result: { __typename: string }): result is RateLimited {
  return result.__typename === 'RateLimitedError';
}

type RateLimited = z.infer<typeof RateLimitedSchema>;
