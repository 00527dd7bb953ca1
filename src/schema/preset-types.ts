import type { PresetRow } from '../infra/tables.ts';
import { formatPresetRef } from '../presets/preset-ref.ts';
import type { Builder } from './builder.ts';
import type { JobTypes } from './job-types.ts';

/** The Preset object: one saved version of a named list of outputs. */
export function registerPresetTypes(builder: Builder, types: JobTypes) {
  const PresetType = builder.objectRef<PresetRow>('Preset').implement({
    description:
      'One version of a named list of outputs. A saved version never changes; saving again ' +
      'under the same name adds the next version.',
    fields: (t) => ({
      name: t.exposeString('name', { description: 'The name it was saved under.' }),
      version: t.exposeInt('version', {
        description: 'Counted from 1 for each name, by the server.',
      }),
      ref: t.string({
        description: '"name@version": what createJob\'s `preset` takes to use this version.',
        resolve: (preset) => formatPresetRef(preset.name, preset.version),
      }),
      outputs: t.field({
        type: [types.OutputRequestType],
        description: 'The outputs a job made from this version asks for.',
        resolve: (preset) => preset.outputs,
      }),
      placeholders: t.exposeBoolean('placeholders', {
        description: 'Whether its jobs work out a placeholder, unless createJob says otherwise.',
      }),
      createdAt: t.field({
        type: 'DateTime',
        description: 'When this version was saved.',
        resolve: (preset) => preset.createdAt,
      }),
    }),
  });

  return { PresetType };
}

export type PresetTypes = ReturnType<typeof registerPresetTypes>;
