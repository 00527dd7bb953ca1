import type { Server } from 'node:http';

import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

import type { createGraphQLHandler } from './yoga.ts';
import { OWNER_HEADER, parseOwner } from './yoga.ts';

type Yoga = ReturnType<typeof createGraphQLHandler>;

interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * Serves the same schema over graphql-ws on `/graphql`. The caller names
 * itself in connectionParams (`{"x-user-id": "..."}`) or in the upgrade
 * request's header.
 */
export function attachWebSocketServer(server: Server, yoga: Yoga) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const owner = parseOwner(
          ctx.connectionParams?.[OWNER_HEADER] ?? ctx.extra.request.headers[OWNER_HEADER],
        );
        const { schema, execute, subscribe, contextFactory, parse, validate } =
          yoga.getEnveloped({
            ...ctx,
            req: ctx.extra.request,
            socket: ctx.extra.socket,
            params: payload,
            connectionOwner: owner,
          } as never);

        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
    },
    wss,
  );

  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
