import { setTimeout as sleep } from 'node:timers/promises';

import { isUnavailable } from '../http/unavailable-errors.ts';

const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 2000;

/**
 * Writes a job attempt's outcome, trying again while Postgres is unreachable
 * until it answers or `signal` aborts (the job's time limit, a cancel, a
 * shutdown). The attempt's lease renewal goes on meanwhile, so Redis keeps
 * the job leased to it and no replica can take it; once Postgres is back the
 * write lands, fenced by the attempt as always. Giving up at the first error
 * instead threw finished work away and, once the lease lapsed, counted the
 * attempt as a crash.
 */
export async function writeThroughOutage<T>(
  write: () => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      return await write();
    } catch (error: unknown) {
      if (!isUnavailable(error) || signal.aborted) throw error;
    }
    await sleep(pause, undefined, { signal }).catch(() => undefined);
  }
}
