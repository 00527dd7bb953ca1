import { setTimeout as sleep } from 'node:timers/promises';

import { createJob, startJob, uploadSource } from './job-api.ts';
import { rssMiB } from './proc-stats.ts';
import type { Replica } from './replica.ts';
import { round, summarize, type LatencySummary } from './stats.ts';
import {
  deliveryLatencies,
  isFinished,
  subscribeOverSse,
  subscribeOverWebSocket,
  type Subscriber,
} from './subscriber-clients.ts';

export interface SubscribersOptions {
  replica: Replica;
  subscribers: number;
  /** Jobs the subscribers are spread over; each is a tiny job, started once all listen. */
  jobs: number;
  outputs: readonly object[];
  tiny: Uint8Array<ArrayBuffer>;
  timeoutMs: number;
}

export interface SubscribersResult {
  subscribers: { sse: number; ws: number };
  jobs: number;
  /** Replica RSS growth from opening the subscriptions, per subscriber. */
  rssPerSubscriberKiB: number;
  replicaRssMiB: { before: number; withSubscribers: number };
  /** Database state change (its transaction's now()) to the subscriber reading it. */
  deliveryMs: LatencySummary & { sse: LatencySummary; ws: LatencySummary };
  /** Subscribers that did not see their job's terminal event before the timeout. */
  incomplete: number;
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>) {
  const made: T[] = [];
  for (let i = 0; i < count; i += size) {
    const batch = Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

export async function measureSubscribers(options: SubscribersOptions): Promise<SubscribersResult> {
  const { replica } = options;
  const jobIds = await inBatches(options.jobs, 8, async () => {
    const job = await createJob(replica.graphqlUrl, options.outputs);
    await uploadSource(job.upload, options.tiny);
    return job.id;
  });

  await sleep(500);
  const before = rssMiB(replica.pid);
  const subscribers = await inBatches(options.subscribers, 50, async (i) => {
    const jobId = jobIds[i % jobIds.length] as string;
    const subscriber: Subscriber = i % 2 === 0
      ? subscribeOverSse(replica.graphqlUrl, jobId)
      : subscribeOverWebSocket(replica.graphqlUrl, jobId);
    await subscriber.ready;
    return subscriber;
  });
  await sleep(1000);
  const withSubscribers = rssMiB(replica.pid);

  try {
    await Promise.all(jobIds.map((id) => startJob(replica.graphqlUrl, id)));
    const allDone = Promise.allSettled(subscribers.map((s) => s.done));
    const timeout = new AbortController();
    await Promise.race([allDone, sleep(options.timeoutMs, undefined, timeout).catch(() => {})]);
    timeout.abort();
  } finally {
    for (const subscriber of subscribers) subscriber.close();
  }

  const latencies = (transport?: Subscriber['transport']) =>
    subscribers.filter((s) => !transport || s.transport === transport).flatMap(deliveryLatencies);
  return {
    subscribers: {
      sse: subscribers.filter((s) => s.transport === 'sse').length,
      ws: subscribers.filter((s) => s.transport === 'ws').length,
    },
    jobs: jobIds.length,
    rssPerSubscriberKiB: round(((withSubscribers - before) * 1024) / subscribers.length, 1),
    replicaRssMiB: { before: round(before, 1), withSubscribers: round(withSubscribers, 1) },
    deliveryMs: {
      ...summarize(latencies()),
      sse: summarize(latencies('sse')),
      ws: summarize(latencies('ws')),
    },
    incomplete: subscribers.filter((s) => !isFinished(s)).length,
  };
}
