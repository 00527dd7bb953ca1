import type { Server } from 'node:http';

import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

import type { createGraphQLHandler } from './yoga.ts';
import { OWNER_HEADER, parseOwner } from './yoga.ts';

type Yoga = ReturnType<typeof createGraphQLHandler>;

/** Yoga's own execute and subscribe, carried to graphql-ws in the root value. */
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => ExecutionReturn;
  subscribe: (args: ExecutionArgs) => ExecutionReturn;
}

// envelop types these loosely (its results may be any promise-like);
// graphql-ws wants graphql-js's own result types, which they are at run time.
type ExecutionReturn = never;

/**
 * Serves the same schema over graphql-ws on `/graphql`. The caller names
 * itself in connectionParams (`{"x-user-id": "..."}`) or in the upgrade
 * request's header.
 */
export function attachWebSocketServer(server: Server, yoga: Yoga) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
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
            // getEnveloped is typed for Yoga's HTTP context; over WebSocket the
            // context is this object, which the context factory reads only
            // for connectionOwner.
          } as never);

        // A bad document (syntax, or past a limit) fails this operation only;
        // thrown, it would close the socket and every subscription on it.
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error: unknown) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }

        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } as EnvelopedRoot,
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
