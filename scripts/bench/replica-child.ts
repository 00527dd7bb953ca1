/**
 * One PixelFlow replica for the benchmark, in its own process so that its CPU
 * and memory can be read from /proc apart from the load generator's. It is
 * src/main.ts plus two things the benchmark needs: it prints the ports it got
 * (PORT=0 and STORAGE_EMBEDDED_PORT=0), and it exits on its own when its
 * parent is gone or after BENCH_REPLICA_MAX_MS.
 */
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';

const parent = process.ppid;
const maxMs = Number(process.env.BENCH_REPLICA_MAX_MS ?? 15 * 60_000);

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const app = await createApp(config, logger);

let stopping = false;
function stop(code: number) {
  if (stopping) return;
  stopping = true;
  // close() waits for jobs in flight; a stuck one must not keep us alive.
  setTimeout(() => process.exit(code || 4), 20_000).unref();
  app.close().then(
    () => process.exit(code),
    () => process.exit(1),
  );
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
setTimeout(() => stop(5), maxMs).unref();
setInterval(() => {
  if (process.ppid !== parent) stop(6);
}, 1000).unref();

process.stdout.write(`${JSON.stringify({ ready: true, url: app.url })}\n`);
