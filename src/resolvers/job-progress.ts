import { GraphQLError } from 'graphql';

import type { Builder } from '../schema/builder.ts';
import type { Context } from '../schema/context.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { isJobId } from '../jobs/job-store.ts';
import { isNewerSnapshot, type JobSnapshot } from '../jobs/job-snapshot.ts';
import { TERMINAL_STATUSES } from '../infra/tables.ts';

export function registerJobProgress(builder: Builder, types: JobTypes) {
  builder.subscriptionField('jobProgress', (t) =>
    t.field({
      type: types.JobType,
      description:
        'The job now, then every change until it finishes (SUCCEEDED, FAILED or CANCELED), ' +
        'then the subscription completes. Works wherever the job runs.',
      args: { id: t.arg.id({ required: true }) },
      subscribe: (_root, args, ctx) => followJob(ctx, String(args.id)),
      resolve: (snapshot) => snapshot,
    }),
  );
}

/**
 * Subscribes before reading the current state, so no change can fall between
 * the two; events older than what was already sent are dropped.
 */
async function* followJob(ctx: Context, id: string): AsyncGenerator<JobSnapshot> {
  const owner = ctx.requireOwner();
  if (!isJobId(id)) throw notFound(id);

  const follower = ctx.events.follow(id);
  try {
    await follower.ready;
    const current = await ctx.store.find(owner, id);
    if (!current) throw notFound(id);

    let last = current;
    yield current;
    while (!TERMINAL_STATUSES.includes(last.job.status)) {
      const next = await follower.next();
      if (!isNewerSnapshot(next, last)) continue;
      last = next;
      yield next;
    }
  } finally {
    follower.close();
  }
}

function notFound(id: string) {
  return new GraphQLError(`no job with id ${id}`, { extensions: { code: 'JOB_NOT_FOUND' } });
}
