import { ObjectMissingError, ObjectTooLargeError, type Storage } from '../infra/storage.ts';
import type { WatermarkSpec } from '../pool/output-options.ts';
import type { JobErrorCode } from './job-error-code.ts';
import { checkSource, type SourceCheck } from './source-check.ts';

/**
 * A watermark is a logo or a signature, not a photo: 8 MiB is generous, and
 * it keeps the second object every job with a watermark reads small.
 */
export const WATERMARK_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Where an owner's watermark asset lives. The owner is part of the key, so a
 * job can only ever use assets uploaded by its own owner; owners are printable
 * ASCII that may include "/", hence the encoding.
 */
export function watermarkKey(owner: string, assetId: string): string {
  return `assets/${encodeURIComponent(owner)}/${assetId}`;
}

/** The distinct watermark assets a job's outputs use. */
export function watermarkAssets(outputs: readonly { watermark?: WatermarkSpec | null }[]) {
  const ids = outputs.flatMap(({ watermark }) =>
    watermark?.mark.kind === 'image' ? [watermark.mark.assetId] : [],
  );
  return [...new Set(ids)];
}

export type WatermarkRejection = Exclude<SourceCheck, { ok: true }> & { assetId: string };

function rejection(assetId: string, check: Exclude<SourceCheck, { ok: true }>) {
  const name = `watermark asset ${assetId}`;
  const messages: Record<typeof check.code, string> = {
    SOURCE_MISSING: `${name} has not been uploaded`,
    SOURCE_EMPTY: `${name} is empty`,
    SOURCE_TOO_LARGE: `${name} is over ${WATERMARK_MAX_BYTES} bytes`,
    UNSUPPORTED_FORMAT: `${name}: ${check.message}`,
  };
  return { ...check, message: messages[check.code], assetId };
}

/**
 * What `startJob` checks of each watermark image, as it checks the source:
 * present, within the size limit, an accepted format by its first bytes.
 * Returns the first that fails, or null when all pass.
 */
export async function checkWatermarkAssets(
  storage: Storage,
  owner: string,
  assetIds: readonly string[],
): Promise<WatermarkRejection | null> {
  for (const assetId of assetIds) {
    const check = await checkSource(storage, watermarkKey(owner, assetId), WATERMARK_MAX_BYTES);
    if (!check.ok) return rejection(assetId, check);
  }
  return null;
}

export type WatermarkRead =
  | { ok: true; images: Record<string, ArrayBuffer> }
  | { ok: false; code: JobErrorCode; message: string };

/**
 * Reads each watermark image once for a job run, bounded in size. An asset
 * deleted or replaced by an oversized one after `startJob` fails the job.
 */
export async function readWatermarks(
  storage: Storage,
  owner: string,
  assetIds: readonly string[],
): Promise<WatermarkRead> {
  const images: Record<string, ArrayBuffer> = {};
  for (const assetId of assetIds) {
    try {
      images[assetId] = await storage.read(watermarkKey(owner, assetId), WATERMARK_MAX_BYTES);
    } catch (error: unknown) {
      if (error instanceof ObjectMissingError) {
        const message = `watermark asset ${assetId} was deleted before processing`;
        return { ok: false, code: 'WATERMARK_MISSING', message };
      }
      if (error instanceof ObjectTooLargeError) {
        const message = `watermark asset ${assetId} is now over ${WATERMARK_MAX_BYTES} bytes`;
        return { ok: false, code: 'WATERMARK_INVALID', message };
      }
      throw error;
    }
  }
  return { ok: true, images };
}
