import { describe, expect, it } from 'vitest';

import { ObjectMissingError, ObjectTooLargeError, type Storage } from '../../src/infra/storage.ts';
import {
  readWatermarks,
  watermarkAssets,
  watermarkKey,
  WATERMARK_MAX_BYTES,
} from '../../src/jobs/watermark-assets.ts';
import type { WatermarkSpec } from '../../src/pool/output-options.ts';

const A = '0b8a89db-599a-4841-84fb-991b85d40cfd';
const B = '6b4fbe6f-3e8e-4e20-950d-5b0c32248bf0';

/** Storage that serves `objects` by key and records what was read, with which bound. */
function fakeStorage(objects: Record<string, Error | number>) {
  const reads: [string, number][] = [];
  const storage = {
    read: async (key: string, maxBytes: number) => {
      reads.push([key, maxBytes]);
      const object = objects[key];
      if (object === undefined) throw new ObjectMissingError(key);
      if (object instanceof Error) throw object;
      return new ArrayBuffer(object);
    },
  } as Pick<Storage, 'read'> as Storage;
  return { storage, reads };
}

const image = (assetId: string): { watermark: WatermarkSpec } => ({
  watermark: {
    mark: { kind: 'image', assetId },
    gravity: 'CENTRE', margin: 0, size: 0.2, opacity: 1, tile: false,
  },
});

describe('watermark assets', () => {
  it('keys assets under their owner, so one owner cannot name another\'s', () => {
    expect(watermarkKey('alice', A)).toBe(`assets/alice/${A}`);
    expect(watermarkKey('../x/y', A)).toBe(`assets/..%2Fx%2Fy/${A}`);
  });

  it('reads each distinct asset once, bounded in size, for a job run', async () => {
    const outputs = [image(A), image(B), image(A), {}];
    expect(watermarkAssets(outputs)).toEqual([A, B]);

    const { storage, reads } = fakeStorage({
      [watermarkKey('alice', A)]: 10,
      [watermarkKey('alice', B)]: 20,
    });
    const read = await readWatermarks(storage, 'alice', watermarkAssets(outputs));
    expect(read.ok && Object.keys(read.images)).toEqual([A, B]);
    expect(reads).toEqual([
      [watermarkKey('alice', A), WATERMARK_MAX_BYTES],
      [watermarkKey('alice', B), WATERMARK_MAX_BYTES],
    ]);
  });

  it('fails the job with WATERMARK_MISSING when the asset was deleted after startJob', async () => {
    const { storage } = fakeStorage({});
    expect(await readWatermarks(storage, 'alice', [A])).toEqual({
      ok: false,
      code: 'WATERMARK_MISSING',
      message: `watermark asset ${A} was deleted before processing`,
    });
  });

  it('fails the job with WATERMARK_INVALID when the asset grew over the limit', async () => {
    const { storage } = fakeStorage({
      [watermarkKey('alice', A)]: new ObjectTooLargeError(WATERMARK_MAX_BYTES),
    });
    expect(await readWatermarks(storage, 'alice', [A])).toMatchObject({
      ok: false,
      code: 'WATERMARK_INVALID',
    });
  });
});
