import { GraphQLError } from 'graphql';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';

import type { Builder } from '../schema/builder.ts';
import type { PresetTypes } from '../schema/preset-types.ts';
import { formatPresetRef, isPresetName, parsePresetRef } from '../presets/preset-ref.ts';

/** A page cursor is the ref of one version; anything else is the client's mistake. */
function cursor(value: string | undefined): { name: string; version: number } | null {
  if (value === undefined) return null;
  const ref = parsePresetRef(value);
  if (ref === null || ref.version === null) {
    throw new GraphQLError(`invalid cursor ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return { name: ref.name, version: ref.version };
}

/** Most versions one page returns, whatever `first` or `last` asks for. */
const MAX_PAGE_SIZE = 100;

export function registerPresetQueries(builder: Builder, types: PresetTypes) {
  builder.queryField('preset', (t) =>
    t.field({
      type: types.PresetType,
      nullable: true,
      description:
        'One of your presets: "name@version" for that version, "name" for the latest. Null ' +
        'when you have none by that reference.',
      args: { ref: t.arg.string({ required: true }) },
      resolve: async (_root, args, ctx) => {
        const owner = ctx.requireOwner();
        const ref = parsePresetRef(args.ref);
        return ref === null ? null : ctx.presets.find(owner, ref);
      },
    }),
  );

  builder.queryField('presets', (t) =>
    t.connection({
      type: types.PresetType,
      description: 'Your presets by name, each name\'s newest version first.',
      args: {
        name: t.arg.string({ description: 'Only the versions of the preset with this name.' }),
      },
      resolve: (_root, args, ctx) => {
        const owner = ctx.requireOwner();
        const name = args.name ?? null;
        // A malformed name is no preset's, and never reaches Postgres.
        const known = name === null || isPresetName(name);
        return resolveCursorConnection(
          {
            args,
            defaultSize: 20,
            maxSize: MAX_PAGE_SIZE,
            toCursor: (preset) => formatPresetRef(preset.name, preset.version),
          },
          async ({ after, before, limit, inverted }: ResolveCursorConnectionArgs) => {
            const page = { after: cursor(after), before: cursor(before) };
            if (!known) return [];
            return ctx.presets.page({ owner, name, limit, ...page, backwards: inverted });
          },
        );
      },
    }),
  );
}
