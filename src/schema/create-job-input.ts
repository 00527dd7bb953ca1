import type { Fit, OutputFormat, OutputSpec } from '../pool/task.ts';
import type { Builder } from './builder.ts';
import { InvalidInputError, type InputIssue } from './errors.ts';
import type { JobTypes } from './job-types.ts';

/** Largest width or height an output may ask for (WEBP's own limit is 16383). */
export const MAX_OUTPUT_DIMENSION = 16383;
const OUTPUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_QUALITY = 80;

export interface CreateJobArgs {
  outputs: {
    id: string;
    resize?: {
      width?: number | null;
      height?: number | null;
      fit?: Fit | null;
      enlarge?: boolean | null;
    } | null;
    format: OutputFormat;
    quality?: number | null;
  }[];
  webhookUrl?: string | null;
  localSource?: string | null;
}

export interface ValidJobRequest {
  outputs: OutputSpec[];
  webhookUrl: string | null;
  localSource: string | null;
}

export function registerCreateJobInput(builder: Builder, types: JobTypes) {
  const ResizeInput = builder.inputType('ResizeInput', {
    description: 'Give width, height or both; the other side follows the aspect ratio.',
    fields: (t) => ({
      width: t.int({ description: `1..${MAX_OUTPUT_DIMENSION} pixels.` }),
      height: t.int({ description: `1..${MAX_OUTPUT_DIMENSION} pixels.` }),
      fit: t.field({ type: types.FitEnum, defaultValue: 'INSIDE' }),
      enlarge: t.boolean({
        defaultValue: false,
        description: 'Allow an output larger than its source. Off by default.',
      }),
    }),
  });

  const OutputInput = builder.inputType('OutputInput', {
    fields: (t) => ({
      id: t.string({
        required: true,
        description: 'Your name for this output, unique within the job: 1-64 of A-Z a-z 0-9 _ -.',
      }),
      resize: t.field({ type: ResizeInput, description: 'Omit to keep the source size.' }),
      format: t.field({ type: types.OutputFormatEnum, required: true }),
      quality: t.int({ defaultValue: DEFAULT_QUALITY, description: '1..100.' }),
    }),
  });

  return builder.inputType('CreateJobInput', {
    fields: (t) => ({
      outputs: t.field({ type: [OutputInput], required: true }),
      webhookUrl: t.string({ description: 'Called with the result when the job finishes.' }),
      localSource: t.string({
        description:
          'Development only: a path under the server\'s LOCAL_SOURCE_DIR to use instead of an ' +
          'upload. Refused unless the server enables it.',
      }),
    }),
  });
}

export interface JobRequestLimits {
  maxOutputs: number;
  /** Largest width × height one output may ask for. */
  maxOutputPixels: number;
}

/** Checks every field and reports all problems at once. */
export function validateCreateJob(args: CreateJobArgs, limits: JobRequestLimits): ValidJobRequest {
  const { maxOutputs } = limits;
  const issues: InputIssue[] = [];
  const issue = (path: (string | number)[], message: string, accepted: string, value: unknown) =>
    issues.push({
      path: path.map(String),
      message,
      accepted,
      received: JSON.stringify(value) ?? 'undefined',
    });

  if (args.outputs.length < 1 || args.outputs.length > maxOutputs) {
    issue(['outputs'], 'wrong number of outputs', `1..${maxOutputs} outputs`,
      args.outputs.length);
  }

  const seen = new Set<string>();
  const outputs = args.outputs.map((output, index): OutputSpec => {
    const at = (field: string) => ['outputs', index, field];
    if (!OUTPUT_ID.test(output.id)) {
      issue(at('id'), 'invalid output id', '1-64 characters of A-Z a-z 0-9 _ -', output.id);
    } else if (seen.has(output.id)) {
      issue(at('id'), 'duplicate output id', 'an id unique within the job', output.id);
    }
    seen.add(output.id);

    const quality = output.quality ?? DEFAULT_QUALITY;
    if (quality < 1 || quality > 100) issue(at('quality'), 'out of range', '1..100', quality);

    return { id: output.id, format: output.format, quality, resize: checkResize(output, index) };
  });

  function checkResize(output: CreateJobArgs['outputs'][number], index: number) {
    const resize = output.resize;
    if (!resize) return null;
    const width = resize.width ?? null;
    const height = resize.height ?? null;
    const range = `1..${MAX_OUTPUT_DIMENSION}`;
    for (const [side, value] of [['width', width], ['height', height]] as const) {
      if (value !== null && (value < 1 || value > MAX_OUTPUT_DIMENSION)) {
        issue(['outputs', index, 'resize', side], 'out of range', range, value);
      }
    }
    if (width !== null && height !== null && width * height > limits.maxOutputPixels) {
      issue(['outputs', index, 'resize'], 'output too large',
        `width × height of at most ${limits.maxOutputPixels} pixels`, resize);
    }
    if (width === null && height === null) {
      issue(['outputs', index, 'resize'], 'resize needs a width or a height',
        `width and/or height in ${range}`, resize);
    }
    return { width, height, fit: resize.fit ?? 'INSIDE', enlarge: resize.enlarge ?? false };
  }

  const webhookUrl = args.webhookUrl ?? null;
  const webhook = webhookUrl === null ? null : httpUrl(webhookUrl);
  if (webhookUrl !== null && webhook === null) {
    issue(['webhookUrl'], 'not an http(s) URL',
      `an absolute http:// or https:// URL of at most ${MAX_URL_LENGTH} characters`,
      webhookUrl.slice(0, MAX_URL_LENGTH));
  }

  const localSource = args.localSource ?? null;
  if (localSource !== null && !isPlainText(localSource, MAX_PATH_LENGTH)) {
    issue(['localSource'], 'not a usable path',
      `a relative path of at most ${MAX_PATH_LENGTH} characters, without control characters`,
      localSource.slice(0, MAX_PATH_LENGTH));
  }

  if (issues.length > 0) throw new InvalidInputError(issues);
  return { outputs, webhookUrl: webhook, localSource };
}

const MAX_URL_LENGTH = 2048;
const MAX_PATH_LENGTH = 1024;

/** Text Postgres and file systems take as it is: no NUL or other control characters. */
function isPlainText(value: string, maxLength: number): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  return value.length <= maxLength && !/[\u0000-\u001f\u007f]/.test(value);
}

/** The URL in its normalised form, or null when it is not a plain http(s) URL. */
function httpUrl(value: string): string | null {
  if (!isPlainText(value, MAX_URL_LENGTH)) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
