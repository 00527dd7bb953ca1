import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the error when it never happens. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** Checked before each try: a reason to stop waiting at once, or null. */
  failWhen?: () => string | null;
}

/**
 * Calls `check` until it returns a value other than null, undefined or false,
 * and returns that value; fails after `timeoutMs`. Errors thrown by `check`
 * count as "not yet" (a dependency may be down on purpose).
 */
export async function waitUntil<T>(
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    const failure = options.failWhen?.();
    if (failure) throw new Error(`gave up waiting for ${options.what}: ${failure}`);
    try {
      const value = await check();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error: unknown) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const what = `${options.timeoutMs} ms waiting for ${options.what}`;
      throw new Error(`timed out after ${what}${cause}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}
