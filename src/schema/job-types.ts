import type { JobEventRow, JobOutputRow } from '../infra/tables.ts';
import { JOB_ERROR_CODES, type JobErrorCode } from '../jobs/job-error-code.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { OUTPUT_FORMATS, type Fit, type OutputFormat, type OutputSpec } from '../pool/task.ts';
import type { Builder } from './builder.ts';
import type { registerErrorTypes } from './errors.ts';

export interface UploadGrant {
  url: string;
  headers: { name: string; value: string }[];
  expiresAt: Date;
}

type ErrorTypes = ReturnType<typeof registerErrorTypes>;

/** The Job object and everything hanging off it. */
export function registerJobTypes(builder: Builder, { JobStatusEnum }: ErrorTypes) {
  const OutputFormatEnum = builder.enumType('OutputFormat', { values: OUTPUT_FORMATS });
  const FitEnum = builder.enumType('Fit', {
    description: 'How the image fills a box of the requested width and height.',
    values: {
      COVER: { description: 'Fill the box, cropping what overflows.' },
      CONTAIN: { description: 'Fit inside the box, letterboxed to its exact size.' },
      FILL: { description: 'Stretch to the box, ignoring the aspect ratio.' },
      INSIDE: { description: 'As large as possible while inside the box; no letterbox.' },
      OUTSIDE: { description: 'As small as possible while covering the box; no crop.' },
    } satisfies Record<Fit, unknown>,
  });
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

  const ResizeType = builder.objectRef<NonNullable<OutputSpec['resize']>>('Resize').implement({
    fields: (t) => ({
      width: t.exposeInt('width', { nullable: true }),
      height: t.exposeInt('height', { nullable: true }),
      fit: t.field({ type: FitEnum, resolve: (r) => r.fit }),
      enlarge: t.exposeBoolean('enlarge'),
    }),
  });

  const OutputRequestType = builder.objectRef<OutputSpec>('OutputRequest').implement({
    description: 'An output as it was asked for at createJob.',
    fields: (t) => ({
      id: t.exposeString('id'),
      resize: t.field({ type: ResizeType, nullable: true, resolve: (o) => o.resize }),
      format: t.field({ type: OutputFormatEnum, resolve: (o) => o.format }),
      quality: t.exposeInt('quality'),
    }),
  });

  const JobOutputType = builder.objectRef<JobOutputRow>('JobOutput').implement({
    description: 'An output the job produced, stored in object storage.',
    fields: (t) => ({
      id: t.string({ resolve: (o) => o.outputId }),
      format: t.field({ type: OutputFormatEnum, resolve: (o) => o.format as OutputFormat }),
      width: t.exposeInt('width'),
      height: t.exposeInt('height'),
      bytes: t.exposeInt('bytes'),
      url: t.string({
        description: 'A presigned GET URL, valid for DOWNLOAD_URL_TTL_SECONDS.',
        resolve: async (o, _args, ctx) => {
          const ttl = ctx.config.DOWNLOAD_URL_TTL_SECONDS;
          return (await ctx.storage.presignDownload(o.storageKey, ttl)).url;
        },
      }),
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
      outputs: t.field({
        type: [JobOutputType],
        description: 'What the job produced; empty until it SUCCEEDED.',
        resolve: (s) => s.outputs,
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

  return { JobType, UploadGrantType, OutputFormatEnum, FitEnum, JobStatusEnum };
}

export type JobTypes = ReturnType<typeof registerJobTypes>;
