import { z } from 'zod';

import { readServerSentEvents } from './server-sent-events.ts';

/** The caller header every PixelFlow request carries. */
const OWNER_HEADER = 'x-user-id';

const ResponseSchema = z.object({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.object({
        message: z.string(),
        extensions: z.object({ code: z.string().optional() }).loose().optional(),
      }),
    )
    .optional(),
});

type GraphQLResponse = z.infer<typeof ResponseSchema>;

/** The response carried `errors`: a failure the schema does not model as data. */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export interface GraphQLClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  endpoint: string;
  userId: string;
}

export interface GraphQLClient {
  /** Runs a query or mutation and returns its `data`. */
  request(query: string, variables: object, signal: AbortSignal): Promise<unknown>;
  /** Runs a subscription over GraphQL-over-SSE and yields each result's `data`. */
  subscribe(query: string, variables: object, signal: AbortSignal): AsyncGenerator<unknown>;
}

export function createGraphQLClient(options: GraphQLClientOptions): GraphQLClient {
  const post = (query: string, variables: object, accept: string, signal: AbortSignal) =>
    fetch(options.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept,
        [OWNER_HEADER]: options.userId,
      },
      body: JSON.stringify({ query, variables }),
      signal,
    });

  return {
    async request(query, variables, signal) {
      const response = await post(query, variables, 'application/json', signal);
      return dataOf(await readJson(response));
    },

    async *subscribe(query, variables, signal) {
      // Closing the generator early (return or throw) must also close the connection.
      const closer = new AbortController();
      const response = await post(
        query,
        variables,
        'text/event-stream',
        AbortSignal.any([signal, closer.signal]),
      );
      try {
        const type = response.headers.get('content-type') ?? '';
        if (!type.startsWith('text/event-stream') || response.body === null) {
          dataOf(await readJson(response));
          throw new Error(`expected an event stream, got HTTP ${response.status} ${type}`);
        }
        for await (const { event, data } of readServerSentEvents(response.body)) {
          if (event === 'complete') return;
          if (event === 'next') yield dataOf(ResponseSchema.parse(JSON.parse(data)));
        }
        throw new Error('the event stream ended without a complete event');
      } finally {
        closer.abort();
      }
    },
  };
}

async function readJson(response: Response): Promise<GraphQLResponse> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error: unknown) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`HTTP ${response.status}: not JSON (${reason}): ${text.slice(0, 200)}`);
  }
  return ResponseSchema.parse(body);
}

function dataOf(response: GraphQLResponse): unknown {
  const [first] = response.errors ?? [];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code ?? 'GRAPHQL');
  return response.data;
}
