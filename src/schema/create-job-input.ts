import {
  AUTO_OPAQUE_FORMATS,
  AUTO_TRANSPARENT_FORMATS,
  type OutputFormat,
  type OutputSpec,
  type RequestedFormat,
} from '../pool/task.ts';
import type { Builder } from './builder.ts';
import { InvalidInputError, type InputIssue } from './errors.ts';
import type { JobTypes } from './job-types.ts';
import { registerOutputOptionInputs } from './output-option-inputs.ts';
import { checkResize, registerResizeInput, type ResizeArgs } from './resize-input.ts';
import {
  checkAdjust,
  checkEncoding,
  checkGeometry,
  checkMetadata,
  type AdjustArgs,
  type EncodingArgs,
  type GeometryArgs,
  type MetadataArgs,
  type ReportIssue,
} from './validate-output-options.ts';

const OUTPUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_QUALITY = 80;

interface OutputArgs extends EncodingArgs {
  id: string;
  resize?: ResizeArgs | null;
  format: RequestedFormat;
  quality?: number | null;
  geometry?: GeometryArgs | null;
  adjust?: AdjustArgs | null;
  keepMetadata?: MetadataArgs | null;
}

export interface CreateJobArgs {
  outputs: OutputArgs[];
  webhookUrl?: string | null;
  localSource?: string | null;
  placeholders?: boolean | null;
}

export interface ValidJobRequest {
  outputs: OutputSpec[];
  webhookUrl: string | null;
  localSource: string | null;
  placeholders: boolean;
}

export function registerCreateJobInput(builder: Builder, types: JobTypes) {
  const options = registerOutputOptionInputs(builder);
  const ResizeInput = registerResizeInput(builder, types);

  const OutputInput = builder.inputType('OutputInput', {
    fields: (t) => ({
      id: t.string({
        required: true,
        description: 'Your name for this output, unique within the job: 1-64 of A-Z a-z 0-9 _ -.',
      }),
      resize: t.field({ type: ResizeInput, description: 'Omit to keep the source size.' }),
      format: t.field({ type: types.RequestedFormatEnum, required: true }),
      quality: t.int({ defaultValue: DEFAULT_QUALITY, description: '1..100.' }),
      geometry: t.field({ type: options.GeometryInput }),
      adjust: t.field({ type: options.AdjustInput }),
      jpeg: t.field({ type: options.JpegOptionsInput, description: 'JPEG or AUTO only.' }),
      png: t.field({ type: options.PngOptionsInput, description: 'PNG or AUTO only.' }),
      webp: t.field({ type: options.WebpOptionsInput, description: 'WEBP or AUTO only.' }),
      avif: t.field({ type: options.AvifOptionsInput, description: 'AVIF or AUTO only.' }),
      gif: t.field({ type: options.GifOptionsInput, description: 'GIF only.' }),
      tiff: t.field({ type: options.TiffOptionsInput, description: 'TIFF only.' }),
      keepMetadata: t.field({ type: options.KeepMetadataInput }),
    }),
  });

  return builder.inputType('CreateJobInput', {
    fields: (t) => ({
      outputs: t.field({ type: [OutputInput], required: true }),
      webhookUrl: t.string({ description: 'Called with the result when the job finishes.' }),
      placeholders: t.boolean({
        defaultValue: false,
        description:
          'Also work out a placeholder (dominant colour and ThumbHash) from the same decode, ' +
          'returned as Job.placeholder.',
      }),
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

    const report: ReportIssue = (path, ...rest) => issue(['outputs', index, ...path], ...rest);
    const auto = output.format === 'AUTO';
    const format: OutputFormat = output.format === 'AUTO' ? 'AVIF' : output.format;
    const usable = auto ? [...new Set([...AUTO_OPAQUE_FORMATS, ...AUTO_TRANSPARENT_FORMATS])]
      : [format];
    // Groups left out of the request stay out of the spec: absent means default,
    // and the stored job keeps only what the client asked for.
    const resize = checkResize(output.resize, limits.maxOutputPixels, report);
    const geometry = checkGeometry(output.geometry, report);
    const adjust = checkAdjust(output.adjust, report);
    const encoding = checkEncoding(output, usable, report);
    const keepMetadata = checkMetadata(output.keepMetadata);
    return {
      id: output.id,
      format,
      ...(auto ? { pickSmallest: true } : {}),
      quality,
      resize,
      ...(geometry === null ? {} : { geometry }),
      ...(adjust === null ? {} : { adjust }),
      ...(encoding === null ? {} : { encoding }),
      ...(keepMetadata === null ? {} : { keepMetadata }),
    };
  });

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
  return { outputs, webhookUrl: webhook, localSource, placeholders: args.placeholders ?? false };
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
