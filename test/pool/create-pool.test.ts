import { MessageChannel } from 'node:worker_threads';

import { afterAll, describe, expect, it, vi } from 'vitest';

import { createImagePool, isAbortError, isWorkerExitError } from '../../src/pool/create-pool.ts';
import type { OutputDoneMessage } from '../../src/pool/task.ts';
import { assertOk, inspectOutput, makeTask, outputSpec } from './corpus.ts';

// Each file starts real worker threads, which load tsx and sharp first.
vi.setConfig({ testTimeout: 30_000 });

const OUTPUTS = [outputSpec('thumb', 'WEBP', { width: 150 }), outputSpec('large', 'JPEG')];

describe('createImagePool', () => {
  const pool = createImagePool({ threads: 2 });
  afterAll(() => pool.close());

  it('transfers the source, and brings back outputs and progress', async () => {
    const task = makeTask('exif-orientation/Portrait_6.jpg', OUTPUTS);
    const channel = new MessageChannel();
    const progress: OutputDoneMessage[] = [];
    channel.port1.on('message', (message: OutputDoneMessage) => progress.push(message));
    const closed = new Promise((resolve) => channel.port1.once('close', resolve));

    const running = pool.run({ ...task, progressPort: channel.port2 });
    // Moved, not copied: the caller's buffer is detached as soon as it is sent.
    expect(task.source.byteLength).toBe(0);
    expect(pool.busyThreads()).toBe(1);
    const result = assertOk(await running);
    await closed;

    expect(pool.busyThreads()).toBe(0);
    expect(pool.size).toBe(2);
    expect(progress).toEqual([{ outputId: 'thumb' }, { outputId: 'large' }]);
    const facts = await Promise.all(result.outputs.map((output) => inspectOutput(output.data)));
    expect(facts.map(({ format, width, height }) => ({ format, width, height }))).toEqual([
      { format: 'webp', width: 150, height: 225 },
      { format: 'jpeg', width: 1200, height: 1800 },
    ]);
  });

  it('returns image failures as results', async () => {
    const result = await pool.run(makeTask('sharp/truncated.jpg', OUTPUTS));

    expect(result).toMatchObject({ ok: false, code: 'CORRUPT_IMAGE' });
  });

  it('rejects an aborted running job recognisably, and keeps working', async () => {
    // A 12 MP AVIF decode and encode: long enough to be caught mid-run.
    const slow = makeTask('libvips/avif-orientation-6.avif', [outputSpec('a', 'AVIF')]);
    const controller = new AbortController();
    const started = performance.now();
    const running = pool.run(slow, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);

    const error: unknown = await running.then(() => null, (reason: unknown) => reason);
    expect(isAbortError(error)).toBe(true);
    // The job needs seconds; the abort ended its worker instead of waiting.
    expect(performance.now() - started).toBeLessThan(1_000);
    assertOk(await pool.run(makeTask('kodak/kodim01.png', OUTPUTS)));
  });

  it('rejects at once, keeping the source, when the signal is already aborted', async () => {
    const task = makeTask('kodak/kodim01.png', OUTPUTS);
    const error: unknown = await pool
      .run(task, { signal: AbortSignal.abort() })
      .then(() => null, (reason: unknown) => reason);

    expect(isAbortError(error)).toBe(true);
    expect(isAbortError(new Error('boom'))).toBe(false);
    expect(task.source.byteLength).toBeGreaterThan(0);
  });
});

describe('createImagePool when a worker dies', () => {
  it('rejects that job and replaces the worker', async () => {
    const workerUrl = new URL('./exit-worker.ts', import.meta.url);
    const errors: Error[] = [];
    const pool = createImagePool({ threads: 1, workerUrl, onError: (error) => errors.push(error) });

    try {
      const dying = pool.run(makeTask('kodak/kodim01.png', [outputSpec('exit', 'JPEG')]));
      const error: unknown = await dying.then(() => null, (reason: unknown) => reason);
      expect(isWorkerExitError(error)).toBe(true);
      expect(isAbortError(error)).toBe(false);

      // The only thread died; this job can run only on its replacement.
      assertOk(await pool.run(makeTask('kodak/kodim01.png', OUTPUTS)));
      expect(errors).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});

describe('createImagePool close', () => {
  it('can be called twice and refuses new jobs', async () => {
    const pool = createImagePool({ threads: 1 });

    await Promise.all([pool.close(), pool.close()]);
    await pool.close();
    await expect(pool.run(makeTask('kodak/kodim01.png', OUTPUTS))).rejects.toThrow(/closed/);
  });

  it('refuses a thread count out of range', () => {
    for (const threads of [0, 1.5, 257]) {
      expect(() => createImagePool({ threads })).toThrow(RangeError);
    }
  });
});
