import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Sends one operation as a client would, naming the caller in `x-user-id`. */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  owner: string | null = 'alice',
): Promise<GraphQLResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (owner !== null) headers['x-user-id'] = owner;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/**
 * Follows a subscription over GraphQL-over-SSE and collects every event
 * until the server completes the stream or `timeoutMs` passes.
 */
export async function collectSse<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  owner: string,
  options: {
    timeoutMs?: number;
    onEvent?: (event: GraphQLResponse<T>) => void;
    /** Aborting it closes the stream, as a client leaving would. */
    signal?: AbortSignal;
  } = {},
): Promise<GraphQLResponse<T>[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'x-user-id': owner,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.any([
      AbortSignal.timeout(options.timeoutMs ?? 20_000),
      ...(options.signal ? [options.signal] : []),
    ]),
  });
  if (!response.body) throw new Error(`no event stream (status ${response.status})`);

  const events: GraphQLResponse<T>[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const lines = frame.split('\n');
      const type = lines
        .find((line) => line.startsWith('event:'))
        ?.slice(6)
        .trim();
      const data = lines
        .find((line) => line.startsWith('data:'))
        ?.slice(5)
        .trim();
      if (type === 'complete') return events;
      if (type === 'next' && data) {
        const event = JSON.parse(data) as GraphQLResponse<T>;
        events.push(event);
        options.onEvent?.(event);
      }
    }
  }
  return events;
}

/** Follows a subscription over graphql-ws until it completes. */
export function collectWs<T>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  owner: string,
  onEvent?: (event: GraphQLResponse<T>) => void,
): Promise<GraphQLResponse<T>[]> {
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { 'x-user-id': owner },
    retryAttempts: 0,
  });
  const events: GraphQLResponse<T>[] = [];

  return new Promise<GraphQLResponse<T>[]>((resolve, reject) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (event) => {
          const result = event as GraphQLResponse<T>;
          events.push(result);
          onEvent?.(result);
        },
        error: (error: unknown) =>
          reject(error instanceof Error ? error : new Error(String(error))),
        complete: () => resolve(events),
      },
    );
  }).finally(() => client.dispose());
}
