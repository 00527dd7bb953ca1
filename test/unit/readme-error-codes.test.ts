import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { JOB_ERROR_CODES } from '../../src/jobs/job-error-code.ts';
import { PROCESS_ERROR_CODES } from '../../src/pool/task.ts';

const README = new URL('../../README.md', import.meta.url);

/** The codes named in the first column of the table under "### Statuses and error codes". */
function documentedCodes(): string[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('### Statuses and error codes');
  if (start < 0) throw new Error('README has no "### Statuses and error codes" section');
  const next = text.indexOf('\n#', start + 1);
  const section = text.slice(start, next < 0 ? undefined : next);

  const codes: string[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([A-Z_]+)`/g)) codes.push(match[1] ?? '');
  }
  return codes;
}

describe('the README error-code table', () => {
  it('lists every code a job can fail with, and no other', () => {
    const documented = documentedCodes();

    expect([...documented].sort()).toEqual([...JOB_ERROR_CODES].sort());
  });

  it('includes every code the worker can return', () => {
    expect(documentedCodes()).toEqual(expect.arrayContaining([...PROCESS_ERROR_CODES]));
  });
});
