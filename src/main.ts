import { createApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startTracing } from './tracing.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger(config.LOG_LEVEL);
  // Before the app, so that its first requests and jobs are traced.
  const tracing = startTracing(config);
  if (tracing) logger.info({ serviceName: config.OTEL_SERVICE_NAME }, 'tracing on');
  const app = await createApp(config, logger).catch(async (error: unknown) => {
    await tracing?.shutdown();
    throw error;
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down');
    // A job handed back at the end of the grace leaves its worker thread in
    // native code (a long encode) that nothing can interrupt, and
    // process.exit() would block until that code returns, for as long as the
    // encode takes. So once closed, the process ends when its event loop does,
    // or else by SIGKILL, the one exit nothing can hold up.
    const end = (level: 'warn' | 'error', message: string, afterMs: number) =>
      setTimeout(() => {
        logger[level](message);
        // pino writes asynchronously: a moment for that line to reach stdout.
        setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100).unref();
      }, afterMs).unref();
    end('error', 'shutdown took too long; exiting', config.SHUTDOWN_GRACE_MS + 2000);
    app.close().then(
      async () => {
        // The spans of the last jobs, then exit.
        await tracing?.shutdown().catch((error: unknown) => {
          logger.warn({ err: error }, 'spans not exported at shutdown');
        });
        process.exitCode = 0;
        end('warn', 'worker threads still busy after shutdown; exiting', 500);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : '';
  const reason = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pixelflow failed to start: ${reason}${cause ? ` (${cause})` : ''}\n`);
  process.exit(1);
});
