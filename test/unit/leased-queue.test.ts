import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';

import { createLeasedQueue } from '../../src/queue/leased-queue.ts';
import { REDIS_URL } from '../support/test-app.ts';

const redis = new Redis(REDIS_URL);
let prefix: string;

beforeEach(() => {
  prefix = `pixelflow_test_${randomBytes(6).toString('hex')}:`;
});

afterAll(async () => {
  const keys = await redis.keys('pixelflow_test_*:queue:*');
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const queue = (leaseMs = 60_000) => createLeasedQueue({ redis, keyPrefix: prefix, leaseMs });

describe('the leased queue', () => {
  it('hands out jobs in the order they were queued, never more than asked', async () => {
    const q = queue();
    await q.enqueue(['a', 'b', 'c']);

    const first = await q.lease(2);
    expect(first.leases.map((lease) => lease.jobId)).toEqual(['a', 'b']);
    expect((await q.lease(5)).leases.map((lease) => lease.jobId)).toEqual(['c']);
    expect((await q.lease(5)).leases).toEqual([]);
    expect(await q.depth()).toBe(0);
  });

  it('puts an expired lease back exactly once, however many replicas reap at once', async () => {
    const q = queue(50);
    await q.enqueue(['job']);
    const [lease] = (await q.lease(1)).leases;
    await new Promise((resolve) => setTimeout(resolve, 80));

    const replicas = Array.from({ length: 5 }, () => queue(60_000));
    const batches = await Promise.all(replicas.map((replica) => replica.lease(1)));
    const leased = batches.flatMap((batch) => batch.leases.map((l) => l.jobId));
    expect(leased).toEqual(['job']);
    expect(batches.reduce((sum, batch) => sum + batch.reaped, 0)).toBe(1);

    // The first holder's lease is gone: it can neither renew nor acknowledge it.
    await expect(q.renew(lease!)).rejects.toThrow('no longer held');
    expect(await q.acknowledge(lease!)).toBe(false);
  });

  it('keeps a renewed lease alive past its first deadline', async () => {
    const q = queue(150);
    await q.enqueue(['job']);
    const [lease] = (await q.lease(1)).leases;
    for (let i = 0; i < 4; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      await q.renew(lease!);
    }
    expect((await queue().lease(1)).reaped).toBe(0);
    expect(await q.acknowledge(lease!)).toBe(true);
  });

  it('makes a job ready again after the retry delay, and not before', async () => {
    const q = queue();
    await q.enqueue(['job']);
    const [lease] = (await q.lease(1)).leases;
    expect(await q.retryLater(lease!, 150)).toBe(true);

    expect((await q.lease(1)).leases).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await q.lease(1)).leases.map((l) => l.jobId)).toEqual(['job']);
  });

  it('restores only the jobs it does not already track', async () => {
    const q = queue();
    await q.enqueue(['leased', 'delayed', 'ready']);
    await q.lease(1);
    const [toDelay] = (await q.lease(1)).leases;
    await q.retryLater(toDelay!, 60_000);

    const restored = await q.restore(['ready', 'leased', 'delayed', 'lost-1', 'lost-2']);
    expect(restored.sort()).toEqual(['lost-1', 'lost-2']);
    expect(await q.depth()).toBe(3);
  });
});
