import { PROCESS_ERROR_CODES } from '../pool/task.ts';

/** Every code a job's `error` can carry: one closed list, documented in the README. */
export const JOB_ERROR_CODES = [
  'SOURCE_MISSING',
  'SOURCE_EMPTY',
  'SOURCE_TOO_LARGE',
  ...PROCESS_ERROR_CODES,
  'WATERMARK_MISSING',
  'TIMEOUT',
  'ATTEMPTS_EXHAUSTED',
  'WORKER_CRASHED',
] as const;
export type JobErrorCode = (typeof JOB_ERROR_CODES)[number];
