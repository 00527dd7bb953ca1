/**
 * Test only: the worker module when FAULT_INJECTION=crash-worker-on-source-marker,
 * for the fault suite's poison pill. A source whose last bytes are
 * POISON_PILL_MARKER ends its worker thread, as a crash in a native decoder
 * would; every other source goes to the real worker. The marker sits after
 * the image data, so startJob's format check still sees a valid image.
 */
import processTask from './process-task.ts';
import type { ProcessTask } from './task.ts';

export const POISON_PILL_MARKER = 'PIXELFLOW-FAULT:crash-worker';

/** The exit code of a thread ended by the marker. */
const CRASH_EXIT_CODE = 70;

export default async function crashOnMarker(task: ProcessTask): ReturnType<typeof processTask> {
  if (endsWithMarker(task.source)) process.exit(CRASH_EXIT_CODE);
  return processTask(task);
}

function endsWithMarker(source: ArrayBuffer): boolean {
  const marker = Buffer.from(POISON_PILL_MARKER, 'latin1');
  if (source.byteLength < marker.byteLength) return false;
  const tail = Buffer.from(source, source.byteLength - marker.byteLength);
  return tail.equals(marker);
}
