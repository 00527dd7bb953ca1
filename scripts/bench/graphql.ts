/** A minimal GraphQL-over-HTTP and GraphQL-over-SSE client, as a user's code would be. */

export const OWNER = 'bench';

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

function post(url: string, body: object, accept: string, signal?: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, 'x-user-id': OWNER },
    body: JSON.stringify(body),
    signal,
  });
}

/** Runs a query or mutation and returns its `data`; GraphQL errors throw. */
export async function request<T>(url: string, query: string, variables: object): Promise<T> {
  const response = await post(url, { query, variables }, 'application/json');
  const body = (await response.json()) as GraphQLBody;
  if (body.errors?.length || !body.data) {
    throw new Error(`GraphQL error (HTTP ${response.status}): ${JSON.stringify(body.errors)}`);
  }
  return body.data as T;
}

/**
 * Follows a subscription over SSE, yielding each `data` with the moment it was
 * read. Ends when the server sends `complete`.
 */
export async function* subscribeSse<T>(
  url: string,
  query: string,
  variables: object,
  signal: AbortSignal,
): AsyncGenerator<{ data: T; at: number }> {
  const response = await post(url, { query, variables }, 'text/event-stream', signal);
  if (response.body === null) throw new Error(`no event stream (HTTP ${response.status})`);

  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const at = Date.now();
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const event = frame.find((line) => line.startsWith('event:'))?.slice(6).trim();
        const data = frame.find((line) => line.startsWith('data:'))?.slice(5).trim();
        if (event === 'complete') return;
        if (event === 'next' && data) {
          const body = JSON.parse(data) as GraphQLBody;
          if (body.errors?.length) throw new Error(`subscription error: ${data}`);
          yield { data: body.data as T, at };
        }
      }
    }
  } finally {
    // Leaving early (return or throw) must also close the connection.
    await reader.cancel().catch(() => {});
  }
}
