/** One dispatched event of a `text/event-stream` body. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the event names none. */
  event: string;
  /** Every `data:` line of the event, joined with newlines. */
  data: string;
}

/**
 * Parses a `text/event-stream` body as the HTML spec describes it: fields up
 * to a blank line make one event, `:` lines are comments (keep-alives), and a
 * line may end in CR, LF or CRLF. Fields other than event and data are ignored.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let event = '';
  let data: string[] = [];

  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });

      // A trailing CR may be the first half of a CRLF: wait for the next chunk.
      const lines = buffered.split(/\r\n|\r(?!$)|\n/);
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;

        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = value;
        if (field === 'data') data.push(value);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
