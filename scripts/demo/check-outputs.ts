import { checkDownload } from './check-download.ts';
import { checkGeometry } from './check-geometry.ts';
import type { Size } from './image-size.ts';
import type { Job } from './job-api.ts';
import { REQUESTED_OUTPUTS } from './requested-outputs.ts';

/** Downloads of one job, together; a stuck storage server is a problem, not a hang. */
const DOWNLOAD_TIMEOUT_MS = 30_000;

/** Every problem with a SUCCEEDED job's outputs; empty when all is as asked. */
export async function checkOutputs(
  file: string,
  job: Job,
  source: Size | null,
): Promise<string[]> {
  const problems: string[] = [];
  const asked = new Set(REQUESTED_OUTPUTS.map((request) => request.id));
  for (const output of job.outputs) {
    if (!asked.has(output.id)) problems.push(`unexpected output ${output.id}`);
  }

  const signal = AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS);
  const checks = REQUESTED_OUTPUTS.map(async (request) => {
    const output = job.outputs.find((candidate) => candidate.id === request.id);
    if (output === undefined) return [`output ${request.id} is missing`];

    const geometry = checkGeometry(file, request, output, source);
    return [...geometry, ...(await checkDownload(request, output, signal))];
  });
  for (const found of await Promise.all(checks)) problems.push(...found);
  return problems;
}
