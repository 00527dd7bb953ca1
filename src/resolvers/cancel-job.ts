import type { Builder } from '../schema/builder.ts';
import { JobNotFoundError, JobStateError } from '../schema/errors.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { parseJobId } from '../jobs/job-store.ts';

export function registerCancelJob(builder: Builder, types: JobTypes) {
  builder.mutationField('cancelJob', (t) =>
    t.field({
      type: types.JobType,
      description: 'Cancels a job that has not finished; a running job is stopped.',
      errors: {
        types: [JobNotFoundError, JobStateError],
        directResult: true,
        union: { name: 'CancelJobResult' },
      },
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const owner = ctx.requireOwner();
        const id = parseJobId(String(args.id));
        if (!id) throw new JobNotFoundError(String(args.id));

        const canceled = await ctx.store.cancel(owner, id);
        if (!canceled) {
          const current = await ctx.store.find(owner, id);
          if (!current) throw new JobNotFoundError(id);
          throw new JobStateError(
            current.job.status,
            ['CREATED', 'QUEUED', 'PROCESSING'],
            'cancel',
          );
        }

        const [snapshot] = await ctx.store.withOutputs([canceled]);
        if (!snapshot) throw new JobNotFoundError(id);
        await Promise.all([ctx.events.requestCancel(id), ctx.events.publish(snapshot)]);
        return snapshot;
      },
    }),
  );
}
