import type { JobEventRow } from '../infra/tables.ts';
import { JOB_ERROR_CODES, type JobErrorCode } from '../jobs/job-error-code.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import type { Placeholder } from '../pool/task.ts';
import type { Builder } from './builder.ts';
import type { registerErrorTypes } from './errors.ts';
import { registerOutputTypes } from './output-types.ts';

export interface UploadGrant {
  url: string;
  headers: { name: string; value: string }[];
  expiresAt: Date;
}

type ErrorTypes = ReturnType<typeof registerErrorTypes>;

/** The Job object and everything hanging off it. */
export function registerJobTypes(builder: Builder, { JobStatusEnum }: ErrorTypes) {
  const outputTypes = registerOutputTypes(builder);
  const { OutputRequestType, JobOutputType } = outputTypes;
  const JobErrorCodeEnum = builder.enumType('JobErrorCode', { values: JOB_ERROR_CODES });

  const JobErrorType = builder
    .objectRef<{ code: JobErrorCode; message: string }>('JobError')
    .implement({
      description: 'Why a job failed. `code` comes from a closed list.',
      fields: (t) => ({
        code: t.field({ type: JobErrorCodeEnum, resolve: (e) => e.code }),
        message: t.exposeString('message'),
      }),
    });

  const JobProgressType = builder.objectRef<JobSnapshot>('JobProgress').implement({
    fields: (t) => ({
      outputsDone: t.int({ resolve: (s) => s.outputsDone }),
      outputsTotal: t.int({ resolve: (s) => s.job.outputs.length }),
      fraction: t.float({
        description: 'Share of the outputs made so far, from 0 to 1.',
        resolve: (s) => (s.job.outputs.length === 0 ? 1 : s.outputsDone / s.job.outputs.length),
      }),
    }),
  });

  const JobSourceType = builder.objectRef<JobSnapshot['job']>('JobSource').implement({
    description: 'The uploaded source, as checked by startJob.',
    fields: (t) => ({
      bytes: t.float({ nullable: true, resolve: (j) => j.sourceBytes }),
      format: t.string({ nullable: true, resolve: (j) => j.sourceFormat }),
    }),
  });

  const JobEventType = builder.objectRef<JobEventRow>('JobEvent').implement({
    description: 'One status change of a job, as recorded by the database.',
    fields: (t) => ({
      from: t.field({ type: JobStatusEnum, nullable: true, resolve: (e) => e.fromStatus }),
      to: t.field({ type: JobStatusEnum, resolve: (e) => e.toStatus }),
      attempt: t.exposeInt('attempt'),
      replica: t.exposeString('replica', {
        nullable: true,
        description: 'The replica that made the change.',
      }),
      reason: t.exposeString('reason', { nullable: true }),
      at: t.field({ type: 'DateTime', resolve: (e) => e.at }),
    }),
  });

  const PlaceholderType = builder.objectRef<Placeholder>('Placeholder').implement({
    description: 'What a client can show while the image loads.',
    fields: (t) => ({
      dominantColour: t.exposeString('dominantColour', {
        description: 'The most common colour of the source\'s visible pixels, as #rrggbb.',
      }),
      thumbHash: t.exposeString('thumbHash', {
        description:
          'A ThumbHash (base64) of the upright source: a blurred preview with its aspect.',
      }),
    }),
  });

  const JobType = builder.objectRef<JobSnapshot>('Job').implement({
    fields: (t) => ({
      id: t.id({ resolve: (s) => s.job.id }),
      status: t.field({ type: JobStatusEnum, resolve: (s) => s.job.status }),
      attempt: t.int({
        description: 'How many times the job has been leased for processing.',
        resolve: (s) => s.job.attempt,
      }),
      nextAttemptAt: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'While a job waits to be retried: when it becomes ready again.',
        resolve: (s) => (s.job.status === 'QUEUED' ? s.job.nextAttemptAt : null),
      }),
      placeholder: t.field({
        type: PlaceholderType,
        nullable: true,
        description: 'Set once the job SUCCEEDED, when createJob asked for placeholders.',
        resolve: (s) => s.job.placeholder,
      }),
      events: t.field({
        type: [JobEventType],
        description: 'Every status change, oldest first.',
        resolve: (s, _args, ctx) => ctx.store.events(s.job.id),
      }),
      error: t.field({
        type: JobErrorType,
        nullable: true,
        resolve: ({ job }) =>
          job.errorCode ? { code: job.errorCode as JobErrorCode, message: job.errorMessage ?? '' }
            : null,
      }),
      requestedOutputs: t.field({ type: [OutputRequestType], resolve: (s) => s.job.outputs }),
      preset: t.string({
        nullable: true,
        description:
          'The exact preset version ("name@version") the job\'s outputs were copied from at ' +
          'createJob; null when they were spelled out.',
        resolve: (s) => s.job.preset,
      }),
      outputs: t.field({
        type: [JobOutputType],
        description: 'What the job produced; empty until it SUCCEEDED.',
        resolve: ({ job, outputs }) =>
          outputs.map((row) => ({
            row,
            request: job.outputs.find((spec) => spec.id === row.outputId) ?? null,
            sourceBytes: job.sourceBytes,
          })),
      }),
      progress: t.field({ type: JobProgressType, resolve: (s) => s }),
      source: t.field({ type: JobSourceType, resolve: (s) => s.job }),
      webhookUrl: t.string({ nullable: true, resolve: (s) => s.job.webhookUrl }),
      createdAt: t.field({ type: 'DateTime', resolve: (s) => s.job.createdAt }),
      updatedAt: t.field({ type: 'DateTime', resolve: (s) => s.job.updatedAt }),
      queuedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.job.queuedAt }),
      startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.job.startedAt }),
      finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.job.finishedAt }),
    }),
  });

  const HttpHeaderType = builder
    .objectRef<{ name: string; value: string }>('HttpHeader')
    .implement({
      fields: (t) => ({ name: t.exposeString('name'), value: t.exposeString('value') }),
    });

  const UploadGrantType = builder.objectRef<UploadGrant>('UploadGrant').implement({
    description: 'Where and how to upload the source: an HTTP PUT of the raw bytes.',
    fields: (t) => ({
      url: t.exposeString('url', { description: 'Presigned PUT URL for the source.' }),
      method: t.string({ resolve: () => 'PUT' }),
      headers: t.field({
        type: [HttpHeaderType],
        description: 'Headers to send with the PUT.',
        resolve: (g) => g.headers,
      }),
      expiresAt: t.field({ type: 'DateTime', resolve: (g) => g.expiresAt }),
    }),
  });

  return { JobType, UploadGrantType, JobStatusEnum, ...outputTypes };
}

export type JobTypes = ReturnType<typeof registerJobTypes>;
