import { parseArgs } from 'node:util';

export interface DemoOptions {
  /** The service's base URL, without `/graphql`. Default http://127.0.0.1:4000. */
  url: string;
  /** Images in flight at once, 1..64. Default 4. */
  concurrency: number;
  /** Longest one image may take from createJob to its last event, in ms. Default 60 s. */
  timeoutMs: number;
  /** Sent as `x-user-id`; every job of the run belongs to this caller. */
  userId: string;
  /** Only the manifest files whose path contains this text; all when null. */
  only: string | null;
}

export const USAGE = `usage: npm run demo -- [--url URL] [--concurrency N] [--timeout SECONDS]
                       [--user ID] [--only TEXT]
  --url          service base URL (env PIXELFLOW_URL; default http://127.0.0.1:4000)
  --concurrency  images in flight at once, 1..64 (default 4)
  --timeout      seconds one image may take before it counts as timed out (default 60)
  --user         caller id sent as x-user-id (default pixelflow-demo)
  --only         run only the corpus files whose path contains TEXT`;

export class UsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

export function parseDemoOptions(
  argv: string[],
  env: Record<string, string | undefined>,
): DemoOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        concurrency: { type: 'string', default: '4' },
        timeout: { type: 'string', default: '60' },
        user: { type: 'string', default: 'pixelflow-demo' },
        only: { type: 'string' },
      },
    }));
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }

  const url = values.url ?? env.PIXELFLOW_URL ?? 'http://127.0.0.1:4000';
  if (!URL.canParse(url)) throw new UsageError(`--url must be a URL, received ${url}`);
  return {
    url: url.replace(/\/+$/, '').replace(/\/graphql$/, ''),
    concurrency: parseCount('--concurrency', values.concurrency, 1, 64),
    timeoutMs: parseCount('--timeout', values.timeout, 1, 3600) * 1000,
    userId: values.user,
    only: values.only ?? null,
  };
}

function parseCount(name: string, value: string, min: number, max: number): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < min || count > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, received ${value}`);
  }
  return count;
}
