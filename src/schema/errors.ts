import { JOB_STATUSES, type JobStatus } from '../infra/tables.ts';
import { RateLimitedError } from '../rate-limits.ts';
import type { Builder } from './builder.ts';

export { RateLimitedError };

/** One problem with one input field. */
export interface InputIssue {
  /** Path of the offending field from the argument root, e.g. ["outputs", "0", "quality"]. */
  path: string[];
  message: string;
  /** What the field accepts, e.g. "1..100". */
  accepted: string;
  /** The value received, as JSON. */
  received: string;
}

export class InvalidInputError extends Error {
  constructor(readonly issues: InputIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    this.name = 'InvalidInputError';
  }
}

/** Gathers every problem with one input, so a client hears of them all at once. */
export function collectIssues() {
  const issues: InputIssue[] = [];
  return {
    issues,
    /** Records one problem; `received` is the offending value, sent back as JSON. */
    issue: (path: (string | number)[], message: string, accepted: string, received: unknown) => {
      issues.push({
        path: path.map(String),
        message,
        accepted,
        received: asJson(received),
      });
    },
    throwIfAny: () => {
      if (issues.length > 0) throw new InvalidInputError(issues);
    },
  };
}

export class PresetNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(`you have no preset ${ref}`);
    this.name = 'PresetNotFoundError';
  }
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`no job with id ${jobId}`);
    this.name = 'JobNotFoundError';
  }
}

export class JobStateError extends Error {
  constructor(
    readonly status: JobStatus,
    readonly allowed: JobStatus[],
    action: string,
  ) {
    super(`cannot ${action} a job that is ${status}; allowed from ${allowed.join(', ')}`);
    this.name = 'JobStateError';
  }
}

export const SOURCE_ERROR_CODES = [
  'SOURCE_MISSING',
  'SOURCE_EMPTY',
  'SOURCE_TOO_LARGE',
  'UNSUPPORTED_FORMAT',
  'LOCAL_SOURCE_REFUSED',
] as const;
export type SourceErrorCode = (typeof SOURCE_ERROR_CODES)[number];

export class SourceRejectedError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    message: string,
    readonly details: { bytes?: number; maxBytes?: number; detectedFormat?: string | null } = {},
  ) {
    super(message);
    this.name = 'SourceRejectedError';
  }
}

/** A watermark image named by the job cannot be used; the job stays CREATED. */
export class WatermarkRejectedError extends Error {
  constructor(
    readonly code: Exclude<SourceErrorCode, 'LOCAL_SOURCE_REFUSED'>,
    message: string,
    readonly assetId: string,
    readonly details: { bytes?: number; maxBytes?: number; detectedFormat?: string | null } = {},
  ) {
    super(message);
    this.name = 'WatermarkRejectedError';
  }
}

/** Registers the error types that mutation results carry, under one `Error` interface. */
export function registerErrorTypes(builder: Builder) {
  const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
    description: 'An expected failure, returned as data in a mutation result.',
    fields: (t) => ({ message: t.exposeString('message') }),
  });

  const JobStatusEnum = builder.enumType('JobStatus', { values: JOB_STATUSES });

  const InputIssueType = builder.objectRef<InputIssue>('InputIssue').implement({
    description: 'One invalid field of a mutation input.',
    fields: (t) => ({
      path: t.exposeStringList('path', { description: 'Path of the field in the input.' }),
      message: t.exposeString('message'),
      accepted: t.exposeString('accepted', { description: 'What the field accepts.' }),
      received: t.exposeString('received', { description: 'The value received, as JSON.' }),
    }),
  });

  builder.objectType(InvalidInputError, {
    name: 'InvalidInputError',
    interfaces: [ErrorInterface],
    description: 'The input was rejected; `issues` names every offending field.',
    fields: (t) => ({ issues: t.field({ type: [InputIssueType], resolve: (e) => e.issues }) }),
  });

  builder.objectType(JobNotFoundError, {
    name: 'JobNotFoundError',
    interfaces: [ErrorInterface],
    description: 'No job with this id belongs to the caller.',
    fields: (t) => ({ id: t.id({ resolve: (e) => e.jobId }) }),
  });

  builder.objectType(PresetNotFoundError, {
    name: 'PresetNotFoundError',
    interfaces: [ErrorInterface],
    description: 'None of your presets has this name, or this version.',
    fields: (t) => ({
      ref: t.exposeString('ref', { description: 'The preset reference as it was given.' }),
    }),
  });

  builder.objectType(JobStateError, {
    name: 'JobStateError',
    interfaces: [ErrorInterface],
    description: 'The job is in a status that does not allow this action.',
    fields: (t) => ({
      status: t.field({ type: JobStatusEnum, resolve: (e) => e.status }),
      allowed: t.field({ type: [JobStatusEnum], resolve: (e) => e.allowed }),
    }),
  });

  builder.objectType(RateLimitedError, {
    name: 'RateLimitedError',
    interfaces: [ErrorInterface],
    description: 'The caller made too many of these calls; nothing was done.',
    fields: (t) => ({
      retryAfter: t.exposeFloat('retryAfter', {
        description: 'Seconds until the next call of this operation can succeed.',
      }),
      limit: t.exposeInt('limit', {
        description: 'Calls a minute allowed once the burst is spent.',
      }),
    }),
  });

  const SourceErrorCodeEnum = builder.enumType('SourceErrorCode', { values: SOURCE_ERROR_CODES });
  builder.objectType(SourceRejectedError, {
    name: 'SourceRejectedError',
    interfaces: [ErrorInterface],
    description: 'The uploaded source cannot be processed; the job stays CREATED.',
    fields: (t) => ({
      code: t.field({ type: SourceErrorCodeEnum, resolve: (e) => e.code }),
      bytes: t.float({ nullable: true, resolve: (e) => e.details.bytes ?? null }),
      maxBytes: t.float({ nullable: true, resolve: (e) => e.details.maxBytes ?? null }),
      detectedFormat: t.string({
        nullable: true,
        description: 'The format named by the first bytes, when it is one we do not accept.',
        resolve: (e) => e.details.detectedFormat ?? null,
      }),
    }),
  });

  builder.objectType(WatermarkRejectedError, {
    name: 'WatermarkRejectedError',
    interfaces: [ErrorInterface],
    description: 'A watermark image the job uses is missing, too large or not an accepted ' +
      'image format; the job stays CREATED.',
    fields: (t) => ({
      code: t.field({ type: SourceErrorCodeEnum, resolve: (e) => e.code }),
      assetId: t.id({ resolve: (e) => e.assetId }),
      bytes: t.float({ nullable: true, resolve: (e) => e.details.bytes ?? null }),
      maxBytes: t.float({ nullable: true, resolve: (e) => e.details.maxBytes ?? null }),
      detectedFormat: t.string({
        nullable: true,
        resolve: (e) => e.details.detectedFormat ?? null,
      }),
    }),
  });

  return { JobStatusEnum };
}

/** JSON, except for what JSON has no word for: Infinity, -Infinity and NaN are named. */
function asJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? 'undefined';
}
