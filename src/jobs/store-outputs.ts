import type { Storage } from '../infra/storage.ts';
import type { OutputFormat, ProcessedOutput } from '../pool/task.ts';
import type { StoredOutput } from './job-transitions.ts';

const CONTENT_TYPES: Record<OutputFormat, string> = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  WEBP: 'image/webp',
  AVIF: 'image/avif',
  GIF: 'image/gif',
  TIFF: 'image/tiff',
};

/** Where an output of a job is stored. */
const outputKey = (jobId: string, outputId: string, format: OutputFormat) =>
  `outputs/${jobId}/${outputId}.${format.toLowerCase()}`;

/**
 * One output at a time, each let go once written: the storage client copies
 * an object while it sends it, so a job's outputs written all at once held
 * about three times their size. Takes the outputs out of `outputs` as it goes.
 */
export async function storeOutputs(
  storage: Storage,
  jobId: string,
  outputs: ProcessedOutput[],
): Promise<StoredOutput[]> {
  const stored: StoredOutput[] = [];
  for (let output = outputs.shift(); output !== undefined; output = outputs.shift()) {
    const data = new Uint8Array(output.data);
    const storageKey = outputKey(jobId, output.id, output.format);
    await storage.write(storageKey, data, CONTENT_TYPES[output.format]);
    const { id: outputId, format, width, height, frames, loopCount, durationMs } = output;
    const bytes = data.byteLength;
    const playback = { frames, loopCount, durationMs };
    stored.push({ outputId, format, width, height, ...playback, bytes, storageKey });
  }
  return stored;
}
