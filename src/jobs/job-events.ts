import type { RedisPubSub } from 'graphql-redis-subscriptions';

import type { JobSnapshot } from './job-snapshot.ts';

export interface JobEventsOptions {
  pubsub: RedisPubSub;
  keyPrefix: string;
}

export interface JobFollower {
  /** Resolves once Redis confirmed the subscription: later events will arrive. */
  ready: Promise<void>;
  /** The next event, or null once `stop` is aborted. */
  next(stop: AbortSignal): Promise<JobSnapshot | null>;
  close(): void;
}

export type JobEvents = ReturnType<typeof createJobEvents>;

/**
 * Job state changes, cancel requests and "work is ready" signals, carried
 * over Redis pub/sub so that every replica hears about every job.
 */
export function createJobEvents(options: JobEventsOptions) {
  const { pubsub, keyPrefix } = options;
  const jobChannel = (id: string) => `${keyPrefix}job:${id}`;
  const cancelChannel = `${keyPrefix}job-cancel`;
  const readyChannel = `${keyPrefix}queue-ready`;

  // graphql-redis-subscriptions does not await its UNSUBSCRIBE, so one sent
  // after the connection closed (a client leaving during shutdown) would be
  // an unhandled rejection. A closed connection has no subscriptions anyway.
  const unsubscribe = (subscriptionId: number) => {
    const subscriber = pubsub.getSubscriber();
    if ('status' in subscriber && subscriber.status !== 'ready') return;
    pubsub.unsubscribe(subscriptionId);
  };

  return {
    publish(snapshot: JobSnapshot): Promise<void> {
      return pubsub.publish(jobChannel(snapshot.job.id), snapshot);
    },

    /** Buffers every event for one job from the moment the subscription is ready. */
    follow(jobId: string): JobFollower {
      const buffered: JobSnapshot[] = [];
      let waiting: ((snapshot: JobSnapshot | null) => void) | null = null;
      let subscriptionId: number | null = null;
      let closed = false;

      const ready = pubsub
        .subscribe<JobSnapshot>(jobChannel(jobId), (snapshot) => {
          if (waiting) {
            const deliver = waiting;
            waiting = null;
            deliver(snapshot);
          } else {
            buffered.push(snapshot);
          }
        })
        .then((id) => {
          subscriptionId = id;
          if (closed) unsubscribe(id);
        });

      return {
        ready,
        next(stop) {
          const first = buffered.shift();
          if (first) return Promise.resolve(first);
          if (stop.aborted) return Promise.resolve(null);
          return new Promise((resolve) => {
            const onStop = () => {
              waiting = null;
              resolve(null);
            };
            stop.addEventListener('abort', onStop, { once: true });
            waiting = (snapshot) => {
              stop.removeEventListener('abort', onStop);
              resolve(snapshot);
            };
          });
        },
        close() {
          if (closed) return;
          closed = true;
          if (subscriptionId !== null) unsubscribe(subscriptionId);
        },
      };
    },

    requestCancel(jobId: string): Promise<void> {
      return pubsub.publish(cancelChannel, { jobId });
    },

    onCancelRequest(handle: (jobId: string) => void): Promise<number> {
      return pubsub.subscribe<{ jobId: string }>(cancelChannel, (message) =>
        handle(message.jobId),
      );
    },

    announceReady(): Promise<void> {
      return pubsub.publish(readyChannel, {});
    },

    onReady(handle: () => void): Promise<number> {
      return pubsub.subscribe(readyChannel, () => handle());
    },

    unsubscribe,
  };
}
