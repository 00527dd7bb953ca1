import { GraphQLError } from 'graphql';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';

import type { Builder } from '../schema/builder.ts';
import type { JobTypes } from '../schema/job-types.ts';
import { parseJobId } from '../jobs/job-store.ts';

/** A page cursor is the id of a job; anything else is the client's mistake. */
function cursor(value: string | undefined): string | null {
  if (value === undefined) return null;
  const id = parseJobId(value);
  if (!id) {
    throw new GraphQLError(`invalid cursor ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return id;
}

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
        const id = parseJobId(String(args.id));
        return id ? ctx.store.find(owner, id) : null;
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
              olderThan: cursor(after),
              newerThan: cursor(before),
              oldestFirst: inverted,
            }),
        );
      },
    }),
  );
}
