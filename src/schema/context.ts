import type { Config } from '../config.ts';
import type { Storage } from '../infra/storage.ts';
import type { JobEvents } from '../jobs/job-events.ts';
import type { JobStore } from '../jobs/job-store.ts';
import type { Logger } from '../logger.ts';
import type { PresetStore } from '../presets/preset-store.ts';
import type { LeasedQueue } from '../queue/leased-queue.ts';
import type { RateLimits } from '../rate-limits.ts';

/** What every resolver may use: the services, and who is asking. */
export interface Services {
  config: Config;
  store: JobStore;
  presets: PresetStore;
  storage: Storage;
  queue: LeasedQueue;
  events: JobEvents;
  rateLimits: RateLimits;
  logger: Logger;
}

export interface Context extends Services {
  /** The caller's id from the `x-user-id` header, or null when absent. */
  owner: string | null;
  /** Throws an UNAUTHENTICATED GraphQL error when the request names no owner. */
  requireOwner(): string;
}

