import autocannon from 'autocannon';
import type { Redis } from 'ioredis';

import { OWNER } from './graphql.ts';
import { createJobBody } from './job-api.ts';
import type { Replica } from './replica.ts';
import { round } from './stats.ts';
import { startUsageMeter } from './usage-meter.ts';

export interface ApiLoadStep {
  targetRate: number;
  achievedRate: number;
  connections: number;
  seconds: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Socket errors and timeouts, non-2xx answers, and 200s without a CreateJobPayload. */
  errors: { connection: number; timeouts: number; non2xx: number; graphql: number };
  replicaCpuMsPerRequest: number;
  replicaPeakRssMiB: number;
}

/**
 * createJob at fixed arrival rates, driven by autocannon. Latencies are
 * corrected for coordinated omission (autocannon's default with a rate), so a
 * stalled server shows up in p99 instead of slowing the senders down.
 */
export async function measureApiLoad(
  replica: Replica,
  redis: Redis,
  rates: readonly number[],
  seconds: number,
  outputs: readonly object[],
): Promise<ApiLoadStep[]> {
  const body = JSON.stringify(createJobBody(outputs));
  const steps: ApiLoadStep[] = [];
  for (const rate of rates) {
    // Enough connections that each sends at most ~10 req/s, so a 100 ms answer
    // still keeps the rate.
    const connections = Math.max(2, Math.ceil(rate / 10));
    const meter = await startUsageMeter(replica, redis);
    const result = await autocannon({
      url: replica.graphqlUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': OWNER },
      body,
      connections,
      overallRate: rate,
      duration: seconds,
      verifyBody: (text) => String(text ?? '').includes('"CreateJobPayload"'),
    });
    const usage = await meter.stop();
    const requests = result.requests.total;
    steps.push({
      targetRate: rate,
      achievedRate: round(requests / result.duration, 1),
      connections,
      seconds: result.duration,
      requests,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      errors: {
        connection: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        graphql: result.mismatches,
      },
      replicaCpuMsPerRequest: round(usage.replicaCpuMs / Math.max(1, requests), 3),
      replicaPeakRssMiB: usage.replicaPeakRssMiB,
    });
  }
  return steps;
}
