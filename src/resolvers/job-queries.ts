import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';

import type { Builder } from '../schema/builder.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { isJobId } from '../jobs/job-store.ts';

/** Most jobs one page returns, whatever `first` or `last` asks for. */
const MAX_PAGE_SIZE = 100;

export function registerJobQueries(builder: Builder, types: JobTypes) {
  builder.queryField('job', (t) =>
    t.field({
      type: types.JobType,
      nullable: true,
      description: 'One of your jobs, or null when you have none with this id.',
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const owner = ctx.requireOwner();
        const id = String(args.id);
        return isJobId(id) ? ctx.store.find(owner, id) : null;
      },
    }),
  );

  builder.queryField('jobs', (t) =>
    t.connection({
      type: types.JobType,
      description: 'Your jobs, newest first.',
      args: { status: t.arg({ type: types.JobStatusEnum }) },
      resolve: (_root, args, ctx) => {
        const owner = ctx.requireOwner();
        return resolveCursorConnection(
          { args, defaultSize: 20, maxSize: MAX_PAGE_SIZE, toCursor: (s) => s.job.id },
          ({ after, before, limit, inverted }: ResolveCursorConnectionArgs) =>
            ctx.store.page({
              owner,
              status: args.status ?? null,
              limit,
              olderThan: after && isJobId(after) ? after : null,
              newerThan: before && isJobId(before) ? before : null,
              oldestFirst: inverted,
            }),
        );
      },
    }),
  );
}
