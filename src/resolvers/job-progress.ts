import { GraphQLError } from 'graphql';

import type { Builder } from '../schema/builder.ts';
import type { Context } from '../schema/context.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { parseJobId } from '../jobs/job-store.ts';
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
 * The iterator graphql-js drives. A client that goes away makes the server
 * call `return()`, which cannot reach a generator suspended in an `await`;
 * aborting the wait first lets it finish and release its Redis subscription
 * at once, rather than at the job's next event (which may never come).
 */
function followJob(ctx: Context, id: string): AsyncIterableIterator<JobSnapshot> {
  const stop = new AbortController();
  const events = streamJob(ctx, id, stop.signal);
  return {
    next: () => events.next(),
    return: (value?: unknown) => {
      stop.abort();
      return events.return(value as undefined);
    },
    throw: (error?: unknown) => {
      stop.abort();
      return events.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Subscribes before reading the current state, so no change can fall between
 * the two; events older than what was already sent are dropped.
 */
async function* streamJob(
  ctx: Context,
  rawId: string,
  stop: AbortSignal,
): AsyncGenerator<JobSnapshot, undefined> {
  const owner = ctx.requireOwner();
  const id = parseJobId(rawId);
  if (!id) throw notFound(rawId);

  const follower = ctx.events.follow(id);
  try {
    await follower.ready;
    const current = await ctx.store.find(owner, id);
    if (!current) throw notFound(id);

    let last = current;
    yield current;
    while (!TERMINAL_STATUSES.includes(last.job.status)) {
      const next = await follower.next(stop);
      if (!next) return undefined;
      if (!isNewerSnapshot(next, last)) continue;
      last = next;
      yield next;
    }
    return undefined;
  } finally {
    follower.close();
  }
}

function notFound(id: string) {
  return new GraphQLError(`no job with id ${id}`, { extensions: { code: 'JOB_NOT_FOUND' } });
}
