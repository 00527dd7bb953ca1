import { randomUUID } from 'node:crypto';

import { postGraphQL } from './job-traffic.ts';

export interface ProbeSample {
  /** When the request was sent. */
  at: number;
  ms: number;
  /** HTTP status; 0 when no answer came in time or the connection failed. */
  status: number;
  /** The answer said SERVICE_UNAVAILABLE. */
  unavailable: boolean;
}

export interface ProbeFigures {
  requests: number;
  statuses: Record<number, number>;
  unavailable: number;
  maxMs: number;
}

export interface ApiProbe {
  samples: ProbeSample[];
  stop(): Promise<ProbeSample[]>;
}

// Reads Postgres: a job that does not exist, so a healthy answer is `null`.
const READ_JOB = `query ($id: ID!) { job(id: $id) { id } }`;

/**
 * Asks every replica a small GraphQL query every `intervalMs`, with a
 * deadline, and records how each was answered and how long it took.
 */
export function startApiProbe(
  targets: () => string[],
  options: { intervalMs?: number; timeoutMs?: number } = {},
): ApiProbe {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const samples: ProbeSample[] = [];
  const pending = new Set<Promise<void>>();

  async function probe(url: string) {
    const at = Date.now();
    let status = 0;
    let unavailable = false;
    try {
      const answer = await postGraphQL(url, READ_JOB, { id: randomUUID() }, timeoutMs);
      status = answer.status;
      unavailable = JSON.stringify(answer.body).includes('SERVICE_UNAVAILABLE');
    } catch {
      status = 0;
    }
    samples.push({ at, ms: Date.now() - at, status, unavailable });
  }

  const timer = setInterval(() => {
    for (const url of targets()) {
      const request = probe(url);
      pending.add(request);
      void request.finally(() => pending.delete(request));
    }
  }, options.intervalMs ?? 100);

  return {
    samples,
    async stop() {
      clearInterval(timer);
      await Promise.allSettled([...pending]);
      return samples;
    },
  };
}

/** Totals of the samples sent between `from` and `to`. */
export function probeFigures(samples: ProbeSample[], from = 0, to = Infinity): ProbeFigures {
  const figures: ProbeFigures = { requests: 0, statuses: {}, unavailable: 0, maxMs: 0 };
  for (const sample of samples) {
    if (sample.at < from || sample.at > to) continue;
    figures.requests += 1;
    figures.statuses[sample.status] = (figures.statuses[sample.status] ?? 0) + 1;
    if (sample.unavailable) figures.unavailable += 1;
    figures.maxMs = Math.max(figures.maxMs, sample.ms);
  }
  return figures;
}
