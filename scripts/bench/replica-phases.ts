import type { Redis } from 'ioredis';

import { measureApiLoad, type ApiLoadStep } from './api-load.ts';
import type { BenchEnvironment } from './environment.ts';
import type { BenchInput } from './inputs.ts';
import type { BenchOptions } from './options.ts';
import { startReplica, type Replica } from './replica.ts';
import { measureSubscribers, type SubscribersResult } from './subscribers.ts';
import { measureWholePath, type WholePathResult } from './whole-path.ts';
import { AVIF_OUTPUTS, PHOTO_OUTPUTS, toGraphQLOutputs } from './workload.ts';

export interface ReplicaPhases {
  photo: WholePathResult;
  avif: WholePathResult;
  tiny: WholePathResult;
  largeBurst: WholePathResult;
  api: ApiLoadStep[];
  subscribers: SubscribersResult;
}

export interface PhaseInputs {
  photos: BenchInput[];
  large: BenchInput[];
  tiny: Buffer;
}

const asSource = (input: BenchInput) => ({
  bytes: new Uint8Array(input.bytes),
  megapixels: (input.width * input.height) / 1e6,
});

/**
 * Every phase that needs PixelFlow, each on a replica of its own, so that one
 * phase's heap and CPU do not carry into the next one's figures.
 */
export async function runReplicaPhases(
  environment: BenchEnvironment,
  redis: Redis,
  inputs: PhaseInputs,
  options: BenchOptions,
  log: (line: string) => void,
): Promise<ReplicaPhases> {
  const p = options.profile;
  const photoOutputs = toGraphQLOutputs(PHOTO_OUTPUTS);
  const onReplica = async <T>(name: string, run: (replica: Replica) => Promise<T>) => {
    log(`${name}…`);
    const replica = await startReplica(environment);
    try {
      return await run(replica);
    } catch (error: unknown) {
      throw new Error(`${name} failed; replica said: ${replica.recentLogs().slice(-1500)}`, {
        cause: error,
      });
    } finally {
      await replica.stop();
    }
  };
  const common = { redis, jobTimeoutMs: 120_000 };

  const photo = await onReplica('whole path, photos', (replica) =>
    measureWholePath({
      ...common, replica, outputs: photoOutputs, sources: inputs.photos.map(asSource),
      clients: p.photoClients, warmup: p.photoWarmup, jobs: p.photoJobs,
    }));
  const avif = await onReplica('whole path, AVIF', (replica) =>
    measureWholePath({
      ...common, replica, outputs: toGraphQLOutputs(AVIF_OUTPUTS),
      sources: inputs.photos.map(asSource),
      clients: p.avifClients, warmup: 1, jobs: p.avifJobs,
    }));
  const tinySource = [{ bytes: new Uint8Array(inputs.tiny), megapixels: 1e-6 }];
  const tiny = await onReplica('orchestration, 1x1 PNG', (replica) =>
    measureWholePath({
      ...common, replica, outputs: photoOutputs, sources: tinySource,
      clients: p.tinyClients, warmup: p.tinyWarmup, jobs: p.tinyJobs,
    }));
  const largeBurst = await onReplica('burst of 24 MP photos', (replica) =>
    measureWholePath({
      ...common, replica, outputs: photoOutputs, sources: inputs.large.map(asSource),
      clients: p.largeBurst, warmup: 0, jobs: p.largeBurst,
    }));
  const api = await onReplica('createJob at fixed rates', (replica) =>
    measureApiLoad(replica, redis, options.rates, p.apiSeconds, photoOutputs));
  const subscribers = await onReplica('subscribers', (replica) =>
    measureSubscribers({
      replica, subscribers: p.subscribers, jobs: p.subscriberJobs, outputs: photoOutputs,
      tiny: new Uint8Array(inputs.tiny), timeoutMs: 60_000,
    }));

  return { photo, avif, tiny, largeBurst, api, subscribers };
}
