import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLogger } from '../../src/logger.ts';
import { RateLimitedError, createRateLimits } from '../../src/rate-limits.ts';
import { gql } from '../support/graphql-client.ts';
import { createUploadedJob } from '../support/jobs.ts';
import {
  REDIS_URL,
  createTestEnvironment,
  startTestApp,
  type TestApp,
  type TestEnvironment,
} from '../support/test-app.ts';

// A bucket of 3 that refills one call every 3 s: slow enough that no call
// refills during a quick succession of them on a busy machine.
const LIMITS = {
  RATE_LIMIT_CREATE_PER_MINUTE: '20',
  RATE_LIMIT_CREATE_BURST: '3',
  RATE_LIMIT_START_PER_MINUTE: '20',
  RATE_LIMIT_START_BURST: '3',
};
const BURST = 3;
const STEP_SECONDS = 3;

const CREATE = `mutation ($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobPayload { job { id } }
    ... on RateLimitedError { message retryAfter limit }
  }
}`;
const START = `mutation ($id: ID!) {
  startJob(id: $id) {
    __typename
    ... on Job { status }
    ... on RateLimitedError { message retryAfter limit }
  }
}`;
const INPUT = { outputs: [{ id: 'thumb', resize: { width: 64 }, format: 'WEBP' }] };

interface Limited {
  __typename: string;
  retryAfter?: number;
  limit?: number;
}

async function create(app: TestApp, owner: string): Promise<Limited> {
  const result = await gql<{ createJob: Limited }>(app.graphqlUrl, CREATE, { input: INPUT }, owner);
  if (!result.data) throw new Error(`createJob failed: ${JSON.stringify(result.errors)}`);
  return result.data.createJob;
}

async function start(app: TestApp, id: string, owner: string): Promise<Limited> {
  const result = await gql<{ startJob: Limited }>(app.graphqlUrl, START, { id }, owner);
  if (!result.data) throw new Error(`startJob failed: ${JSON.stringify(result.errors)}`);
  return result.data.startJob;
}

const user = () => `user-${randomBytes(4).toString('hex')}`;

describe('per-user rate limits', () => {
  let environment: TestEnvironment;
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    environment = await createTestEnvironment();
    first = await startTestApp(environment, LIMITS);
    // A second replica on the same database and Redis prefix.
    second = await startTestApp(environment, LIMITS);
  });
  afterAll(async () => {
    await Promise.allSettled([first?.close(), second?.close()]);
    await environment?.drop();
  });

  it('refuses calls past the burst with RateLimitedError until the bucket refills', async () => {
    const alice = user();
    const answers: Limited[] = [];
    for (let i = 0; i <= BURST; i += 1) answers.push(await create(first, alice));

    expect(answers.slice(0, BURST).map((a) => a.__typename)).toEqual(
      Array(BURST).fill('CreateJobPayload'),
    );
    const refused = answers[BURST] as Limited;
    expect(refused).toMatchObject({ __typename: 'RateLimitedError', limit: 20 });
    expect(refused.retryAfter).toBeGreaterThan(0);
    expect(refused.retryAfter).toBeLessThanOrEqual(STEP_SECONDS);

    await sleep((refused.retryAfter as number) * 1000 + 100);
    expect((await create(first, alice)).__typename).toBe('CreateJobPayload');
  });

  it('counts each user on their own', async () => {
    const alice = user();
    const bob = user();
    for (let i = 0; i < BURST; i += 1) await create(first, alice);
    expect((await create(first, alice)).__typename).toBe('RateLimitedError');

    expect((await create(first, bob)).__typename).toBe('CreateJobPayload');
  });

  it('shares one bucket between replicas', async () => {
    const alice = user();
    const replicas = [first, second, first];
    for (const replica of replicas) {
      expect((await create(replica, alice)).__typename).toBe('CreateJobPayload');
    }
    expect((await create(second, alice)).__typename).toBe('RateLimitedError');
    expect((await create(first, alice)).__typename).toBe('RateLimitedError');
  });

  it('limits startJob with a bucket of its own', async () => {
    const alice = user();
    const jobs = [];
    for (let i = 0; i <= BURST; i += 1) {
      jobs.push(await createUploadedJob(first.graphqlUrl, 'pngsuite/basn6a08.png', alice));
      // Creating is limited too: stay within its refill rate.
      if (i === BURST - 1) await sleep(STEP_SECONDS * 1000 + 100);
    }

    const answers = [];
    for (const [i, job] of jobs.entries()) {
      answers.push(await start(i % 2 === 0 ? first : second, job.id, alice));
    }
    expect(answers.slice(0, BURST).map((a) => a.__typename)).toEqual(Array(BURST).fill('Job'));
    const refused = answers[BURST] as Limited;
    expect(refused).toMatchObject({ __typename: 'RateLimitedError', limit: 20 });

    await sleep((refused.retryAfter as number) * 1000 + 100);
    const last = jobs[BURST] as { id: string };
    expect(await start(second, last.id, alice)).toMatchObject({
      __typename: 'Job',
      status: 'QUEUED',
    });
  });

  it('counts refused calls in pixelflow_rate_limited_total by operation', async () => {
    const pages = await Promise.all(
      [first, second].map(async (app) => (await fetch(`${app.url}/metrics`)).text()),
    );
    const count = (operation: string) => {
      const line = new RegExp(`pixelflow_rate_limited_total\\{operation="${operation}"\\} (\\d+)`);
      return pages.reduce((sum, page) => sum + Number(line.exec(page)?.[1] ?? 0), 0);
    };
    expect(count('createJob')).toBeGreaterThanOrEqual(2);
    expect(count('startJob')).toBeGreaterThanOrEqual(1);
  });
});

describe('a rate limit whose Redis does not answer', () => {
  function limitsOn(redis: Redis, unchecked: string[]) {
    return createRateLimits({
      redis,
      keyPrefix: `test-${randomBytes(4).toString('hex')}:`,
      buckets: {
        createJob: { perMinute: 1, burst: 1 },
        startJob: { perMinute: 1, burst: 1 },
      },
      onLimited: () => {},
      onUnavailable: (operation) => unchecked.push(operation),
      logger: createLogger('silent'),
    });
  }

  it('lets the call through at once while Redis cannot be reached', async () => {
    // Nothing listens on port 1: every command fails.
    const redis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    redis.on('error', () => {});
    const unchecked: string[] = [];
    const limits = limitsOn(redis, unchecked);
    try {
      const begun = Date.now();
      await limits.consume('createJob', 'alice');
      await limits.consume('createJob', 'alice');
      expect(Date.now() - begun).toBeLessThan(1000);
      expect(unchecked).toEqual(['createJob', 'createJob']);
    } finally {
      redis.disconnect();
    }
  });

  it('lets the call through after the command timeout when Redis goes silent', async () => {
    // A server that answers OK to the commands ioredis sends on connecting,
    // then nothing more, as a Redis cut off mid-connection or stuck in a
    // long script would.
    const sockets: Socket[] = [];
    let answering = true;
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => {
        if (!answering) return;
        const commands = chunk.toString().split('\r\n').filter((line) => line.startsWith('*'));
        socket.write('+OK\r\n'.repeat(commands.length));
      });
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    // The service's connections time commands out (src/infra/redis.ts); a shorter one here.
    const redis = new Redis({
      host: '127.0.0.1',
      port,
      enableReadyCheck: false,
      commandTimeout: 200,
    });
    redis.on('error', () => {});
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    answering = false;
    const unchecked: string[] = [];
    const limits = limitsOn(redis, unchecked);
    try {
      const begun = Date.now();
      await limits.consume('startJob', 'alice');
      const waited = Date.now() - begun;
      expect(waited).toBeGreaterThanOrEqual(190);
      expect(waited).toBeLessThan(2000);
      expect(unchecked).toEqual(['startJob']);
    } finally {
      redis.disconnect();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('a rate limit under a flood of calls', () => {
  it('refuses all but the burst while the process is too busy to read answers', async () => {
    const redis = new Redis(REDIS_URL);
    const unchecked: string[] = [];
    const limits = createRateLimits({
      redis,
      keyPrefix: `test-${randomBytes(4).toString('hex')}:`,
      buckets: {
        createJob: { perMinute: 20, burst: 3 },
        startJob: { perMinute: 20, burst: 3 },
      },
      onLimited: () => {},
      onUnavailable: (operation) => unchecked.push(operation),
      logger: createLogger('silent'),
    });
    try {
      await redis.ping();
      const calls = Array.from({ length: 50 }, () =>
        limits.consume('createJob', 'mallory').then(
          () => 'allowed',
          (error: unknown) => (error instanceof RateLimitedError ? 'limited' : 'failed'),
        ));
      // Redis answers at once, but the event loop reads the answers only after
      // this: as when a flood of requests keeps a replica busy.
      const busyUntil = Date.now() + 600;
      while (Date.now() < busyUntil) {
        // busy
      }
      const outcomes = await Promise.all(calls);
      expect(outcomes.filter((outcome) => outcome === 'allowed')).toHaveLength(3);
      expect(outcomes.filter((outcome) => outcome === 'limited')).toHaveLength(47);
      expect(unchecked).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
