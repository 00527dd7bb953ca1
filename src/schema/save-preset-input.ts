import type { OutputSpec } from '../pool/task.ts';
import { PRESET_NAME_ACCEPTED, isPresetName } from '../presets/preset-ref.ts';
import type { Builder } from './builder.ts';
import { collectIssues } from './errors.ts';
import {
  checkOutputs,
  type OutputArgs,
  type OutputInputRef,
  type OutputLimits,
} from './output-input.ts';

export interface SavePresetArgs {
  name: string;
  outputs: OutputArgs[];
  placeholders?: boolean | null;
}

export interface ValidPreset {
  name: string;
  outputs: OutputSpec[];
  placeholders: boolean;
}

export function registerSavePresetInput(builder: Builder, OutputInput: OutputInputRef) {
  return builder.inputType('SavePresetInput', {
    description: 'A list of outputs to save under a name, as its next version.',
    fields: (t) => ({
      name: t.string({
        required: true,
        description: `The preset's name: ${PRESET_NAME_ACCEPTED}.`,
      }),
      outputs: t.field({
        type: [OutputInput],
        required: true,
        description: 'Checked exactly as createJob checks its outputs.',
      }),
      placeholders: t.boolean({
        defaultValue: false,
        description: 'Whether its jobs also work out a placeholder, unless createJob says.',
      }),
    }),
  });
}

/** Checks every field and reports all problems at once, as createJob does. */
export function validateSavePreset(args: SavePresetArgs, limits: OutputLimits): ValidPreset {
  const { issue, throwIfAny } = collectIssues();

  if (!isPresetName(args.name)) {
    issue(['name'], 'invalid preset name', PRESET_NAME_ACCEPTED, args.name.slice(0, 100));
  }
  const outputs = checkOutputs(args.outputs, limits, issue);

  throwIfAny();
  return { name: args.name, outputs, placeholders: args.placeholders ?? false };
}
