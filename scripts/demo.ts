/**
 * Pushes every corpus image through a running PixelFlow the way a client
 * would (createJob, upload, jobProgress over SSE, startJob), checks what comes
 * back, and exits non-zero on any unexpected result. `npm run demo -- --help`.
 */
import { describeError } from './demo/describe-error.ts';
import { createGraphQLClient } from './demo/graphql-client.ts';
import { formatImageLine } from './demo/image-line.ts';
import { createJobApi } from './demo/job-api.ts';
import { readManifest } from './demo/manifest.ts';
import { parseDemoOptions, USAGE, type DemoOptions } from './demo/options.ts';
import { runImage } from './demo/run-image.ts';
import { runPool } from './demo/run-pool.ts';
import { summarise } from './demo/summary.ts';

const CORPUS = new URL('../../shared/corpus/', import.meta.url);

/** How long the service may take to answer the first request before the run gives up. */
const REACH_TIMEOUT_MS = 5_000;

async function assertReachable(endpoint: string, userId: string): Promise<void> {
  const client = createGraphQLClient({ endpoint, userId });
  try {
    await client.request('{ __typename }', {}, AbortSignal.timeout(REACH_TIMEOUT_MS));
  } catch (error: unknown) {
    const reason = describeError(error);
    throw new Error(`cannot reach PixelFlow at ${endpoint}: ${reason}`, { cause: error });
  }
}

async function runDemo(options: DemoOptions): Promise<number> {
  const endpoint = `${options.url}/graphql`;
  await assertReachable(endpoint, options.userId);

  const manifest = await readManifest(CORPUS);
  const only = options.only;
  const entries = only === null ? manifest : manifest.filter((e) => e.file.includes(only));
  console.log(`${entries.length} images → ${endpoint}, ${options.concurrency} at a time, ` +
    `timeout ${options.timeoutMs / 1000}s each, as ${options.userId}\n`);

  const api = createJobApi(createGraphQLClient({ endpoint, userId: options.userId }));
  const started = performance.now();
  const results = await runPool(
    entries,
    options.concurrency,
    (entry) => runImage(entry, { api, corpus: CORPUS, timeoutMs: options.timeoutMs }),
    (result) => console.log(formatImageLine(result)),
  );

  const summary = summarise(results, performance.now() - started);
  console.log(`\n${summary.lines.join('\n')}`);
  return summary.unexpected.length > 0 ? 1 : 0;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  try {
    process.exitCode = await runDemo(parseDemoOptions(argv, process.env));
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 2;
  }
}

await main();
