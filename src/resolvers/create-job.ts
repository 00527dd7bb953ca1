import type { Builder } from '../schema/builder.ts';
import { registerCreateJobInput, validateCreateJob } from '../schema/create-job-input.ts';
import { InvalidInputError, RateLimitedError, SourceRejectedError } from '../schema/errors.ts';
import type { JobTypes, UploadGrant } from '../schema/job-types.ts';
import type { JobSnapshot } from '../jobs/job-snapshot.ts';
import { openLocalSource } from './local-source-access.ts';

interface CreateJobPayload {
  job: JobSnapshot;
  upload: UploadGrant | null;
}

export function registerCreateJob(builder: Builder, types: JobTypes) {
  const CreateJobInput = registerCreateJobInput(builder, types);

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
        types: [InvalidInputError, SourceRejectedError, RateLimitedError],
        directResult: true,
        union: { name: 'CreateJobResult' },
      },
      args: { input: t.arg({ type: CreateJobInput, required: true }) },
      resolve: async (_root, { input }, ctx) => {
        const owner = ctx.requireOwner();
        await ctx.rateLimits.consume('createJob', owner);
        const request = validateCreateJob(input, {
          maxOutputs: ctx.config.MAX_OUTPUTS_PER_JOB,
          maxOutputPixels: ctx.config.MAX_OUTPUT_PIXELS,
        });
        if (request.localSource !== null) await openLocalSource(ctx.config, request.localSource);

        const job = await ctx.store.create({ owner, ...request });
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
