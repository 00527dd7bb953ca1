import type { Builder } from '../schema/builder.ts';
import { InvalidInputError, RateLimitedError } from '../schema/errors.ts';
import { outputLimits, type OutputInputRef } from '../schema/output-input.ts';
import type { PresetTypes } from '../schema/preset-types.ts';
import { registerSavePresetInput, validateSavePreset } from '../schema/save-preset-input.ts';

export function registerSavePreset(
  builder: Builder,
  types: PresetTypes,
  OutputInput: OutputInputRef,
) {
  const SavePresetInput = registerSavePresetInput(builder, OutputInput);

  builder.mutationField('savePreset', (t) =>
    t.field({
      type: types.PresetType,
      description:
        'Saves outputs under a name as its next version: 1 for a new name, then 2, 3… ' +
        'Earlier versions, and the jobs made from them, stay as they were.',
      errors: {
        types: [InvalidInputError, RateLimitedError],
        directResult: true,
        union: { name: 'SavePresetResult' },
      },
      args: { input: t.arg({ type: SavePresetInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const owner = ctx.requireOwner();
        // Saving a preset creates as a job does: it draws on the same bucket.
        await ctx.rateLimits.consume('createJob', owner);
        const preset = validateSavePreset(input, outputLimits(ctx.config));
        return ctx.presets.save({ owner, ...preset });
      },
    }),
  );
}
