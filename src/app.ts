import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

import type { Config } from './config.ts';
import { createGraphQLHandler } from './http/yoga.ts';
import { createHttpServer } from './http/server.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './infra/embedded-s3.ts';
import { createPostgres } from './infra/postgres.ts';
import { createRedis } from './infra/redis.ts';
import { createStorage } from './infra/storage.ts';
import { createDispatcher } from './jobs/dispatcher.ts';
import { createJobEvents } from './jobs/job-events.ts';
import { reviveSnapshotDates } from './jobs/job-snapshot.ts';
import { createJobStore } from './jobs/job-store.ts';
import { createJobTransitions } from './jobs/job-transitions.ts';
import { createReconciler } from './jobs/reconciler.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { createImagePool } from './pool/create-pool.ts';
import { createPresetStore } from './presets/preset-store.ts';
import { createLeasedQueue } from './queue/leased-queue.ts';
import { createRateLimits } from './rate-limits.ts';
import { buildSchema } from './schema/index.ts';
import { createWebhookDeliveries } from './webhooks/webhook-deliveries.ts';
import { createWebhookPoster } from './webhooks/webhook-post.ts';
import { createWebhookSender } from './webhooks/webhook-sender.ts';

export interface App {
  /** The port the HTTP server listens on (useful when PORT is 0). */
  port: number;
  url: string;
  /** Stops taking work, finishes jobs in flight, then closes every connection. */
  close(): Promise<void>;
}

/** Builds and starts one replica: the API and the image pool, in this process. */
export async function createApp(config: Config, logger: Logger): Promise<App> {
  // Names this replica in job history and logs: host, process and a random part.
  const replicaId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  logger = logger.child({ replica: replicaId });

  const cleanups: { name: string; run: () => Promise<void> }[] = [];
  const onClose = (name: string, run: () => Promise<void>) => cleanups.unshift({ name, run });

  async function close() {
    const steps = cleanups.splice(0);
    for (const step of steps) {
      try {
        await step.run();
      } catch (error: unknown) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
  }

  try {
    const storage = await openStorage(config, logger, onClose);

    const postgres = createPostgres({
      url: config.DATABASE_URL,
      poolSize: config.DATABASE_POOL_SIZE,
      onConnectionError: (error) => logger.warn({ err: error }, 'postgres connection lost'),
    });
    onClose('postgres', postgres.close);
    await postgres.migrate();

    const redis = createRedis({
      url: config.REDIS_URL,
      reviver: reviveSnapshotDates,
      onConnectionError: (error) => logger.warn({ err: error }, 'redis connection error'),
    });
    onClose('redis', redis.close);
    await redis.ping().catch((error: unknown) => {
      throw new Error(`Redis at ${config.REDIS_URL} is unreachable`, { cause: error });
    });

    const keyPrefix = config.REDIS_KEY_PREFIX;
    const queue = createLeasedQueue({ redis: redis.command, keyPrefix, leaseMs: config.LEASE_MS });
    const events = createJobEvents({ pubsub: redis.pubsub, keyPrefix });
    const store = createJobStore(postgres.db, replicaId);
    const presets = createPresetStore(postgres.db);

    const pool = createImagePool({
      threads: config.POOL_THREADS,
      onError: (error) => logger.error({ err: error }, 'image pool error'),
      // Test only: a worker that crashes on the fault suite's poison pill.
      ...(config.FAULT_INJECTION === 'crash-worker-on-source-marker'
        ? { workerUrl: new URL('./pool/fault-worker.ts', import.meta.url) }
        : {}),
    });
    onClose('pool', pool.close);
    const metrics = createMetrics({
      readQueueDepth: queue.depth,
      // Prefetched jobs wait in the pool's queue; they occupy no thread.
      readBusyThreads: () => Math.min(pool.busyThreads(), config.POOL_THREADS),
      poolThreads: config.POOL_THREADS,
    });

    const transitions = createJobTransitions(postgres.db, replicaId);
    const dispatcher = createDispatcher({
      queue,
      transitions,
      events,
      storage,
      pool,
      metrics,
      logger,
      pollMs: config.DISPATCH_POLL_MS,
      prefetch: config.DISPATCH_PREFETCH,
      leaseMs: config.LEASE_MS,
      renewMs: config.LEASE_RENEW_MS,
      maxAttempts: config.MAX_ATTEMPTS,
      maxCrashes: config.MAX_CRASHES,
      retryBaseMs: config.RETRY_BASE_MS,
      jobTimeoutMs: config.JOB_TIMEOUT_MS,
      maxInputPixels: config.MAX_INPUT_PIXELS,
      maxOutputPixels: config.MAX_OUTPUT_PIXELS,
      maxFrames: config.MAX_FRAMES,
      maxJobOutputPixels: config.MAX_JOB_OUTPUT_PIXELS,
      maxSourceBytes: config.SOURCE_MAX_BYTES,
    });

    const rateLimits = createRateLimits({
      redis: redis.command,
      keyPrefix,
      buckets: {
        createJob: {
          perMinute: config.RATE_LIMIT_CREATE_PER_MINUTE,
          burst: config.RATE_LIMIT_CREATE_BURST,
        },
        startJob: {
          perMinute: config.RATE_LIMIT_START_PER_MINUTE,
          burst: config.RATE_LIMIT_START_BURST,
        },
      },
      onLimited: metrics.recordRateLimited,
      onUnavailable: metrics.recordRateLimitUnchecked,
      logger,
    });
    const yoga = createGraphQLHandler(
      buildSchema(),
      { config, store, presets, storage, queue, events, rateLimits, logger },
      logger,
    );
    const http = createHttpServer({
      yoga,
      registry: metrics.registry,
      logger,
      readiness: { postgres: postgres.ping, redis: redis.ping, storage: storage.ping },
      readinessWarnings: [redis.evictionRisk],
    });
    const port = await http.listen(config.PORT, config.HOST);
    onClose('http', http.close);

    // Started before the dispatcher, so it stops after it: jobs that finish
    // during shutdown still get their webhooks sent.
    const webhooks = createWebhookSender({
      deliveries: createWebhookDeliveries(postgres.db),
      poster: createWebhookPoster({
        allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_NETWORKS,
        timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      }),
      secret: config.WEBHOOK_SECRET,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      pollMs: config.WEBHOOK_POLL_MS,
      metrics,
      logger,
    });
    webhooks.start();
    onClose('webhook-sender', webhooks.stop);

    await dispatcher.start();
    onClose('dispatcher', () => dispatcher.stop(config.SHUTDOWN_GRACE_MS));

    const reconciler = createReconciler({
      queue,
      transitions,
      logger,
      intervalMs: config.RECONCILE_MS,
    });
    reconciler.start();
    onClose('reconciler', reconciler.stop);

    const url = `http://${config.HOST}:${port}`;
    logger.info({ url: `${url}/graphql`, poolThreads: config.POOL_THREADS }, 'pixelflow ready');
    return { port, url, close };
  } catch (error: unknown) {
    await close();
    throw error;
  }
}

async function openStorage(
  config: Config,
  logger: Logger,
  onClose: (name: string, run: () => Promise<void>) => void,
) {
  let endpoint = config.STORAGE_ENDPOINT;
  let credentials = { accessKey: config.STORAGE_ACCESS_KEY, secretKey: config.STORAGE_SECRET_KEY };

  if (!endpoint) {
    const embedded: EmbeddedS3 = await startEmbeddedS3({
      host: '127.0.0.1',
      port: config.STORAGE_EMBEDDED_PORT,
      directory: config.STORAGE_EMBEDDED_DIR,
      bucket: config.STORAGE_BUCKET,
      accessKey: config.STORAGE_ACCESS_KEY,
      secretKey: config.STORAGE_SECRET_KEY,
    });
    onClose('embedded-s3', embedded.close);
    endpoint = embedded.endpoint;
    credentials = { accessKey: embedded.accessKey, secretKey: embedded.secretKey };
    logger.info({ endpoint, directory: config.STORAGE_EMBEDDED_DIR }, 'embedded storage started');
  }

  const storage = createStorage({
    endpoint,
    publicEndpoint: config.STORAGE_PUBLIC_ENDPOINT ?? endpoint,
    region: config.STORAGE_REGION,
    bucket: config.STORAGE_BUCKET,
    ...credentials,
  });
  await storage.ensureBucket();
  return storage;
}
