import { execFileSync } from 'node:child_process';

import { REPO_ROOT } from './run-child.ts';

/** The code that was measured: the commit and any uncommitted changes to it. */
export interface Revision {
  commit: string;
  /** `git status --porcelain` lines outside bench-results/: edits the figures include. */
  uncommitted: string[];
}

export function describeRevision(): Revision {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommitted: git('status', '--porcelain')
        .split('\n')
        .filter((line) => line !== '' && !line.includes('bench-results/')),
    };
  } catch (error: unknown) {
    // A copy without .git (e.g. an unpacked tarball) still benchmarks.
    const why = error instanceof Error ? error.message : String(error);
    return { commit: `unknown (${why})`, uncommitted: [] };
  }
}
