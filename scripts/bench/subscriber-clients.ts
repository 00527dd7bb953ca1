import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { OWNER, subscribeSse } from './graphql.ts';
import { FOLLOW_JOB, TERMINAL, type ProgressEvent } from './job-api.ts';

/** One event as a subscriber read it: the job's state and when it arrived (epoch ms). */
export interface Received {
  status: string;
  updatedAt: string;
  at: number;
}

export interface Subscriber {
  transport: 'sse' | 'ws';
  events: Received[];
  /** Resolves at the first event: the subscription is live on the server. */
  ready: Promise<void>;
  /** Resolves when the server completes the subscription (or it fails). */
  done: Promise<void>;
  close(): void;
}

function toReceived(data: ProgressEvent, at: number): Received {
  const { status, updatedAt } = data.jobProgress;
  return { status, updatedAt, at };
}

export function subscribeOverSse(graphqlUrl: string, jobId: string): Subscriber {
  const events: Received[] = [];
  const abort = new AbortController();
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const done = (async () => {
    const stream = subscribeSse<ProgressEvent>(graphqlUrl, FOLLOW_JOB, { id: jobId }, abort.signal);
    for await (const { data, at } of stream) {
      events.push(toReceived(data, at));
      markReady();
    }
  })().finally(markReady);
  return { transport: 'sse', events, ready, done, close: () => abort.abort() };
}

export function subscribeOverWebSocket(graphqlUrl: string, jobId: string): Subscriber {
  const events: Received[] = [];
  const client = createClient({
    url: graphqlUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { 'x-user-id': OWNER },
    retryAttempts: 0,
  });
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const done = new Promise<void>((resolve, reject) => {
    client.subscribe<ProgressEvent>(
      { query: FOLLOW_JOB, variables: { id: jobId } },
      {
        next: (result) => {
          if (result.data) events.push(toReceived(result.data, Date.now()));
          markReady();
        },
        error: (error: unknown) =>
          reject(error instanceof Error ? error : new Error(String(error))),
        complete: () => resolve(),
      },
    );
  }).finally(() => {
    markReady();
    void client.dispose();
  });
  return { transport: 'ws', events, ready, done, close: () => void client.dispose() };
}

/** The delivery latency of every state change after the first event, in ms. */
export function deliveryLatencies(subscriber: Subscriber): number[] {
  const latencies: number[] = [];
  let previous: string | null = null;
  for (const event of subscriber.events) {
    // The first event is the state at subscription time, not a change; progress
    // events keep the status (and updatedAt) of PROCESSING, so only changes count.
    if (previous !== null && event.status !== previous) {
      latencies.push(event.at - Date.parse(event.updatedAt));
    }
    previous = event.status;
  }
  return latencies;
}

export const isFinished = (subscriber: Subscriber) =>
  TERMINAL.has(subscriber.events.at(-1)?.status ?? '');
