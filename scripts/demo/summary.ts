import { formatSeconds } from './format.ts';
import {
  codeOf,
  statusOf,
  unexpectedReason,
  type ImageResult,
  type ResultStatus,
} from './image-result.ts';

/** `FAILED  12  CORRUPT_IMAGE 9, PIXEL_LIMIT_EXCEEDED 3`, one line per status seen. */
function countByStatus(results: readonly ImageResult[]): string[] {
  const byStatus = new Map<ResultStatus, Map<string, number>>();
  for (const { outcome } of results) {
    const codes = byStatus.get(statusOf(outcome)) ?? new Map<string, number>();
    const code = codeOf(outcome) ?? '';
    codes.set(code, (codes.get(code) ?? 0) + 1);
    byStatus.set(statusOf(outcome), codes);
  }

  return [...byStatus].map(([status, codes]) => {
    const total = [...codes.values()].reduce((sum, count) => sum + count, 0);
    const detail = [...codes]
      .filter(([code]) => code !== '')
      .sort(([, a], [, b]) => b - a)
      .map(([code, count]) => `${code} ${count}`)
      .join(', ');
    return `  ${status.padEnd(10)} ${String(total).padStart(4)}  ${detail}`.trimEnd();
  });
}

function outputsOf(result: ImageResult): number {
  return result.outcome.kind === 'finished' ? result.outcome.job.outputs.length : 0;
}

export interface Summary {
  lines: string[];
  /** Files whose result should fail the run, each with its reason. */
  unexpected: string[];
}

export function summarise(results: readonly ImageResult[], elapsedMs: number): Summary {
  const succeeded = results.filter((r) => statusOf(r.outcome) === 'SUCCEEDED');
  const problems = results.reduce((sum, r) => sum + r.problems.length, 0);
  const outputs = succeeded.reduce((sum, r) => sum + outputsOf(r), 0);
  const rate = results.length / Math.max(elapsedMs / 1000, 0.001);
  const unexpected = results.flatMap((result) => {
    const reason = unexpectedReason(result);
    const job = result.jobId === null ? '' : ` [job ${result.jobId}]`;
    return reason === null ? [] : [`${result.entry.file}${job}: ${reason}`];
  });

  const lines = [
    `images ${results.length} in ${formatSeconds(elapsedMs)} (${rate.toFixed(2)} images/s)`,
    ...countByStatus(results),
    `checks: ${outputs} outputs of ${succeeded.length} succeeded jobs ` +
      `(width, aspect, orientation, download): ${problems} problems`,
    `unexpected results: ${unexpected.length}`,
    ...unexpected.map((line) => `  - ${line}`),
  ];
  return { lines, unexpected };
}
