import { formatBytes, formatSeconds } from './format.ts';
import { codeOf, statusOf, unexpectedReason, type ImageResult } from './image-result.ts';
import type { JobOutput } from './job-api.ts';
import { REQUESTED_OUTPUTS } from './requested-outputs.ts';

/** Wide enough for the longest corpus path, so the columns line up. */
const FILE_COLUMN = 58;

function describeSource(result: ImageResult): string {
  const format = result.sourceFormat ?? '?';
  return `${format} ${formatBytes(result.sourceBytes ?? result.fileBytes)}`;
}

function byRequestOrder(a: JobOutput, b: JobOutput): number {
  const rank = (output: JobOutput) => REQUESTED_OUTPUTS.findIndex((r) => r.id === output.id);
  return rank(a) - rank(b);
}

function describeOutput(output: JobOutput): string {
  const { id, width, height, format, bytes } = output;
  return `${id} ${width}x${height} ${format.toLowerCase()} ${formatBytes(bytes)}`;
}

function describeOutcome(result: ImageResult): string {
  const { outcome } = result;
  switch (outcome.kind) {
    case 'finished':
      if (outcome.job.status !== 'SUCCEEDED') return codeOf(outcome) ?? 'no error code';
      return [...outcome.job.outputs].sort(byRequestOrder).map(describeOutput).join(', ');
    case 'rejected':
      return `${outcome.code} (${outcome.detectedFormat ?? 'unknown format'})`;
    case 'timed-out':
    case 'broken':
      // The reason after `!!` says what happened.
      return codeOf(outcome) ?? '';
  }
}

/**
 * One line per image: file, source format and size, status, outputs or error
 * code, elapsed time; then `!!` and the reason when the result is unexpected.
 */
export function formatImageLine(result: ImageResult): string {
  const reason = unexpectedReason(result);
  const expected = reason === null && statusOf(result.outcome) !== 'SUCCEEDED';
  const columns = [
    result.entry.file.padEnd(FILE_COLUMN),
    describeSource(result).padEnd(12),
    statusOf(result.outcome).padEnd(9),
    describeOutcome(result) + (expected ? ' (expected)' : ''),
    formatSeconds(result.elapsedMs),
  ];
  return columns.join('  ') + (reason === null ? '' : `  !! ${reason}`);
}
