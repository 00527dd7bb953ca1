import { availableParallelism } from 'node:os';
import { z } from 'zod';

const MiB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const optionalUrl = z
  .string()
  .url()
  .optional()
  .or(z.literal('').transform(() => undefined));

/** Standard Webhooks secrets: the prefix, then base64 of 24–64 bytes. */
const webhookSecret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'must be whsec_ followed by base64')
  .refine((value) => {
    const bytes = Buffer.from(value.slice('whsec_'.length), 'base64').byteLength;
    return bytes >= 24 && bytes <= 64;
  }, 'must encode 24 to 64 bytes after whsec_');

/**
 * Every setting PixelFlow reads, with its default and range. `.env.example`
 * documents the same list for operators; keep the two in step.
 */
const configSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(4000),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),

    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/pixelflow'),
    DATABASE_POOL_SIZE: int(1, 100).default(10),
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    /** Namespaces every Redis key and channel, so several deployments can share one Redis. */
    REDIS_KEY_PREFIX: z.string().min(1).default('pixelflow:'),

    /** Unset: an embedded S3-compatible server runs on STORAGE_EMBEDDED_DIR. */
    STORAGE_ENDPOINT: optionalUrl,
    /** The endpoint clients use for presigned URLs; defaults to STORAGE_ENDPOINT. */
    STORAGE_PUBLIC_ENDPOINT: optionalUrl,
    STORAGE_ACCESS_KEY: z.string().min(1).default('S3RVER'),
    STORAGE_SECRET_KEY: z.string().min(1).default('S3RVER'),
    STORAGE_REGION: z.string().min(1).default('us-east-1'),
    STORAGE_BUCKET: z.string().min(3).max(63).default('pixelflow'),
    STORAGE_EMBEDDED_PORT: int(0, 65535).default(9000),
    STORAGE_EMBEDDED_DIR: z.string().min(1).default('.data/s3'),

    UPLOAD_URL_TTL_SECONDS: int(1, 7 * 24 * 3600).default(900),
    DOWNLOAD_URL_TTL_SECONDS: int(60, 7 * 24 * 3600).default(3600),
    SOURCE_MAX_BYTES: int(1, 1024 * MiB).default(50 * MiB),
    /** Largest width × height × frames decoded; larger sources fail before decoding. */
    MAX_INPUT_PIXELS: int(1, 2 ** 31).default(100_000_000),
    /**
     * Most frames (GIF, WEBP, TIFF pages) a source may declare; more fails with
     * TOO_MANY_FRAMES before decoding. An animated output holds every frame.
     */
    MAX_FRAMES: int(1, 100_000).default(1000),
    /** Largest width × height of one output (enlarging is otherwise bounded only by format). */
    MAX_OUTPUT_PIXELS: int(1, 2 ** 31).default(50_000_000),
    MAX_OUTPUTS_PER_JOB: int(1, 50).default(10),
    /**
     * Largest width × height (× frames) of all of one job's outputs together.
     * A job holds every output it has encoded until the last is done, so this,
     * not MAX_OUTPUT_PIXELS × MAX_OUTPUTS_PER_JOB, bounds a job's memory.
     */
    MAX_JOB_OUTPUT_PIXELS: int(1, 2 ** 31).default(100_000_000),
    JOB_TIMEOUT_MS: int(1000, 3_600_000).default(60_000),

    /** Worker threads running sharp; one job per thread. */
    POOL_THREADS: int(1, 64).default(availableParallelism()),
    /**
     * Jobs each replica leases and downloads ahead of its free threads, so a
     * thread never idles between jobs. Default 0: lease only for free
     * threads. A prefetched job waits behind a busy thread even when another
     * replica is idle, so raise it (to POOL_THREADS, say) for one replica or
     * a queue that is rarely short, not for a fleet sharing a thin queue.
     */
    DISPATCH_PREFETCH: int(0, 64).default(0),
    LEASE_MS: int(1000, 3_600_000).default(30_000),
    LEASE_RENEW_MS: int(100, 3_600_000).default(10_000),
    /** Longest an idle dispatcher waits before polling the queue again. */
    DISPATCH_POLL_MS: int(10, 60_000).default(1000),
    /** How often each replica re-queues jobs Postgres expects in Redis and Redis lost. */
    RECONCILE_MS: int(50, 3_600_000).default(15_000),
    MAX_ATTEMPTS: int(1, 20).default(3),
    /** Attempts that may crash their worker thread or process before the job fails. */
    MAX_CRASHES: int(0, 20).default(2),
    RETRY_BASE_MS: int(10, 600_000).default(1000),

    /**
     * On SIGTERM, how long jobs in flight may take to finish before they are
     * handed back to the queue for another replica. The process exits within
     * this plus about two seconds.
     */
    SHUTDOWN_GRACE_MS: int(0, 600_000).default(20_000),

    /**
     * Fault injection for the fault suite only: `exit-after-queue-commit`
     * ends the process between startJob's commit and its Redis push;
     * `crash-worker-on-source-marker` ends the worker thread of any job whose
     * source ends with the poison-pill marker (src/pool/fault-worker.ts).
     */
    FAULT_INJECTION: z
      .enum(['none', 'exit-after-queue-commit', 'crash-worker-on-source-marker'])
      .default('none'),

    /** Development only: lets jobs read sources from this folder. Unset disables it. */
    LOCAL_SOURCE_DIR: z.string().min(1).optional(),

    /**
     * Signs every webhook (Standard Webhooks): `whsec_` and the base64 of 24–64
     * random bytes. Unset: a fixed development secret, with a warning at start.
     */
    WEBHOOK_SECRET: webhookSecret.optional(),
    /**
     * Lets webhooks reach private, loopback and link-local addresses. Keep false
     * in production, or a job's webhook URL can probe the internal network.
     */
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: z.stringbool().default(false),
    /** Longest one delivery may take, connect to response, before it counts as failed. */
    WEBHOOK_TIMEOUT_MS: int(100, 120_000).default(10_000),
    /** First retry delay; doubles with each attempt (with jitter), capped at 6 hours. */
    WEBHOOK_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
    /** Attempts before a delivery ends FAILED; 8 spans about 10 minutes at the default base. */
    WEBHOOK_MAX_ATTEMPTS: int(1, 30).default(8),
    /** Longest an idle webhook sender waits before looking for due deliveries again. */
    WEBHOOK_POLL_MS: int(10, 60_000).default(1000),

    /**
     * Per-caller limits on createJob and startJob, shared by every replica
     * through Redis: a caller may make BURST calls at once, then the bucket
     * refills at PER_MINUTE calls a minute. PER_MINUTE 0 turns the limit off.
     */
    RATE_LIMIT_CREATE_PER_MINUTE: int(0, 60_000).default(120),
    RATE_LIMIT_CREATE_BURST: int(1, 10_000).default(30),
    RATE_LIMIT_START_PER_MINUTE: int(0, 60_000).default(120),
    RATE_LIMIT_START_BURST: int(1, 10_000).default(30),

    /**
     * Tracing (OpenTelemetry) is off unless one of these is set. The exporter
     * reads the other standard OTEL_EXPORTER_OTLP_* variables itself.
     */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
    /** `otlp` (the default once an endpoint is set), `console`, or `none`. */
    OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
    OTEL_SERVICE_NAME: z.string().min(1).default('pixelflow'),
  })
  .refine((c) => c.LEASE_RENEW_MS < c.LEASE_MS, {
    path: ['LEASE_RENEW_MS'],
    message: 'must be shorter than LEASE_MS so a live lease is renewed before it expires',
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the whole environment at once and reports every problem together. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    const received = value === undefined ? '' : ` (received ${JSON.stringify(value)})`;
    return `${name}: ${issue.message}${received}`;
  });
  throw new ConfigError(problems);
}
