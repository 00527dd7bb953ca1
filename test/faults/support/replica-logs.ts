import type { LogLine, ReplicaProcess } from './replica-process.ts';

/** Every log line of these replicas (killed ones included) that `matches`. */
export async function findLogLines(
  replicas: ReplicaProcess[],
  matches: (line: LogLine) => boolean,
): Promise<LogLine[]> {
  const logs = await Promise.all(replicas.map((replica) => replica.logs()));
  return logs.flat().filter(matches);
}

/** A write the unique index on terminal events refused: a second terminal transition. */
export function isDuplicateTerminalError(line: LogLine): boolean {
  return JSON.stringify(line.err ?? '').includes('job_events_one_terminal_idx');
}

export const TERMINAL_WRITE_REFUSED = 'terminal write refused: attempt no longer current';
