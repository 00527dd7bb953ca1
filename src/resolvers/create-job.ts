import type { Builder } from '../schema/builder.ts';
import type { Context } from '../schema/context.ts';
import {
  checkPresetWithinLimits,
  registerCreateJobInput,
  validateCreateJob,
  type ValidJobRequest,
} from '../schema/create-job-input.ts';
import {
  InvalidInputError,
  PresetNotFoundError,
  RateLimitedError,
  SourceRejectedError,
} from '../schema/errors.ts';
import type { JobTypes, UploadGrant } from '../schema/job-types.ts';
import { outputLimits, type OutputInputRef } from '../schema/output-input.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import type { OutputSpec } from '../pool/task.ts';
import { formatPresetRef } from '../presets/preset-ref.ts';
import { openLocalSource } from './local-source-access.ts';

interface CreateJobPayload {
  job: JobSnapshot;
  upload: UploadGrant | null;
}

export function registerCreateJob(builder: Builder, types: JobTypes, OutputInput: OutputInputRef) {
  const CreateJobInput = registerCreateJobInput(builder, OutputInput);

  const Payload = builder.objectRef<CreateJobPayload>('CreateJobPayload').implement({
    fields: (t) => ({
      job: t.field({ type: types.JobType, resolve: (p) => p.job }),
      upload: t.field({
        type: types.UploadGrantType,
        nullable: true,
        description: 'Where to upload the source; null for a localSource job.',
        resolve: (p) => p.upload,
      }),
    }),
  });

  builder.mutationField('createJob', (t) =>
    t.field({
      type: Payload,
      description: 'Creates a job (CREATED) and returns where to upload its source.',
      errors: {
        types: [InvalidInputError, PresetNotFoundError, SourceRejectedError, RateLimitedError],
        directResult: true,
        union: { name: 'CreateJobResult' },
      },
      args: { input: t.arg({ type: CreateJobInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const owner = ctx.requireOwner();
        await ctx.rateLimits.consume('createJob', owner);
        const request = validateCreateJob(input, outputLimits(ctx.config));
        const what = await resolveOutputs(ctx, owner, request);
        if (request.localSource !== null) await openLocalSource(ctx.config, request.localSource);

        const job = await ctx.store.create({
          owner,
          ...what,
          webhookUrl: request.webhookUrl,
          localSource: request.localSource,
        });
        const snapshot: JobSnapshot = { job, outputs: [], outputsDone: 0 };
        if (request.localSource !== null) return { job: snapshot, upload: null };

        const grant = await ctx.storage.presignUpload(
          job.sourceKey,
          ctx.config.UPLOAD_URL_TTL_SECONDS,
        );
        return { job: snapshot, upload: { ...grant, headers: [] } };
      },
    }),
  );
}

interface JobOutputs {
  outputs: OutputSpec[];
  /** The exact version used, "name@version"; null when the outputs were spelled out. */
  preset: string | null;
  placeholders: boolean;
}

/**
 * The outputs the job will keep. A preset is looked up once, here: the job
 * stores a copy of that version's outputs and its exact ref, so neither a
 * later version nor the name's "latest" moving on can change the job.
 */
async function resolveOutputs(
  ctx: Context,
  owner: string,
  request: ValidJobRequest,
): Promise<JobOutputs> {
  if (request.preset === null) {
    return { outputs: request.outputs, preset: null, placeholders: request.placeholders ?? false };
  }

  const { name, version } = request.preset;
  const preset = await ctx.presets.find(owner, request.preset);
  if (!preset) {
    throw new PresetNotFoundError(version === null ? name : formatPresetRef(name, version));
  }
  checkPresetWithinLimits(preset.outputs, outputLimits(ctx.config));
  return {
    outputs: preset.outputs,
    preset: formatPresetRef(preset.name, preset.version),
    placeholders: request.placeholders ?? preset.placeholders,
  };
}
