import type { OutputSpec } from '../pool/task.ts';
import { PRESET_REF_ACCEPTED, parsePresetRef, type PresetRef } from '../presets/preset-ref.ts';
import type { Builder } from './builder.ts';
import { collectIssues } from './errors.ts';
import {
  checkOutputs,
  type OutputArgs,
  type OutputInputRef,
  type OutputLimits,
} from './output-input.ts';

export interface CreateJobArgs {
  outputs?: OutputArgs[] | null;
  preset?: string | null;
  webhookUrl?: string | null;
  localSource?: string | null;
  placeholders?: boolean | null;
}

/** What a job makes: outputs spelled out, or a preset the resolver looks up. */
export type JobOutputsRequest =
  | { outputs: OutputSpec[]; preset: null }
  | { outputs: null; preset: PresetRef };

export type ValidJobRequest = JobOutputsRequest & {
  webhookUrl: string | null;
  localSource: string | null;
  /** Null when the input left it out: a preset's own setting applies, else false. */
  placeholders: boolean | null;
};

export function registerCreateJobInput(builder: Builder, OutputInput: OutputInputRef) {
  return builder.inputType('CreateJobInput', {
    description: 'Give exactly one of `outputs` and `preset`.',
    fields: (t) => ({
      outputs: t.field({ type: [OutputInput], description: 'The outputs to make.' }),
      preset: t.string({
        description:
          'One of your presets instead of `outputs`: "name@version", or "name" for its ' +
          'latest version now. The job keeps a copy of those outputs, so saving a later ' +
          'version never changes it.',
      }),
      webhookUrl: t.string({ description: 'Called with the result when the job finishes.' }),
      placeholders: t.boolean({
        description:
          'Also work out a placeholder (dominant colour and ThumbHash) from the same decode, ' +
          'returned as Job.placeholder. Default: the preset\'s setting, or false.',
      }),
      localSource: t.string({
        description:
          'Development only: a path under the server\'s LOCAL_SOURCE_DIR to use instead of an ' +
          'upload. Refused unless the server enables it.',
      }),
    }),
  });
}

/** Checks every field and reports all problems at once. */
export function validateCreateJob(args: CreateJobArgs, limits: OutputLimits): ValidJobRequest {
  const { issue, throwIfAny } = collectIssues();

  const what = checkOutputsOrPreset(args, limits, issue);

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

  throwIfAny();
  return { ...what, webhookUrl: webhook, localSource, placeholders: args.placeholders ?? null };
}

type Issue = ReturnType<typeof collectIssues>['issue'];

function checkOutputsOrPreset(
  args: CreateJobArgs,
  limits: OutputLimits,
  issue: Issue,
): JobOutputsRequest {
  const outputs = args.outputs ?? null;
  const preset = args.preset ?? null;
  if (outputs !== null) {
    if (preset !== null) {
      issue(['preset'], 'give outputs or a preset, not both',
        'exactly one of outputs and preset', preset);
    }
    return { outputs: checkOutputs(outputs, limits, issue), preset: null };
  }
  if (preset === null) {
    issue(['outputs'], 'give outputs or a preset', 'exactly one of outputs and preset', null);
    return { outputs: [], preset: null };
  }

  const ref = parsePresetRef(preset);
  if (ref === null) {
    issue(['preset'], 'not a preset reference', PRESET_REF_ACCEPTED, preset);
    return { outputs: [], preset: null };
  }
  return { outputs: null, preset: ref };
}

/**
 * A preset was checked against the limits of the day it was saved; the
 * server's limits may have shrunk since, and a job from it must keep today's.
 */
export function checkPresetWithinLimits(outputs: OutputSpec[], limits: OutputLimits): void {
  const { issue, throwIfAny } = collectIssues();
  if (outputs.length > limits.maxOutputs) {
    issue(['preset'], 'the preset has more outputs than a job may have now',
      `at most ${limits.maxOutputs} outputs`, outputs.length);
  }
  const tooLarge = outputs.find(({ resize }) =>
    resize !== null && (resize.width ?? 0) * (resize.height ?? 0) > limits.maxOutputPixels);
  if (tooLarge !== undefined) {
    issue(['preset'], 'the preset has an output larger than a job may have now',
      `width × height of at most ${limits.maxOutputPixels} pixels`, tooLarge.id);
  }
  throwIfAny();
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
