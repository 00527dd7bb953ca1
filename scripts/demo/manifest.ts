import { readFile } from 'node:fs/promises';

export interface CorpusEntry {
  /** Path under the corpus folder, e.g. `pngsuite/basn0g01.png`. */
  file: string;
  /** The manifest's `exercises` column: what the file is there to test. */
  exercises: string;
  /**
   * True when the manifest marks the file as one the service should refuse or
   * fail, or records that sharp itself could not process it.
   */
  mayFail: boolean;
}

/**
 * Words in the `exercises` column that mark a file the service is allowed to
 * fail on; everything else must succeed. Matched case-insensitively because
 * the manifest writes both "CORRUPT:" and "corrupt header", "BOMB" and "(bomb)".
 */
const MAY_FAIL_MARKERS = [
  'corrupt',
  'truncated',
  'bomb',
  'fuzz',
  'unsupported',
  'clean rejection',
];

const FILE_COLUMN = 0;
const EXERCISES_COLUMN = 5;
/** What plain sharp made of the file when the corpus was built ("… -> ERROR: …" on failure). */
const SHARP_RESULT_COLUMN = 8;

export function mayFail(exercises: string, sharpResult = ''): boolean {
  const text = exercises.toLowerCase();
  return MAY_FAIL_MARKERS.some((marker) => text.includes(marker)) || sharpResult.includes('ERROR');
}

/** Reads `MANIFEST.tsv`: one file per line after the header, tab-separated. */
export async function readManifest(corpus: URL): Promise<CorpusEntry[]> {
  const text = await readFile(new URL('MANIFEST.tsv', corpus), 'utf8');
  const rows = text.split(/\r?\n/).slice(1).filter((line) => line.trim() !== '');

  return rows.map((line) => {
    const columns = line.split('\t');
    const file = columns[FILE_COLUMN]?.trim() ?? '';
    const exercises = columns[EXERCISES_COLUMN]?.trim() ?? '';
    const sharpResult = columns[SHARP_RESULT_COLUMN]?.trim() ?? '';
    if (file === '') throw new Error(`MANIFEST.tsv has a line without a file: ${line}`);
    return { file, exercises, mayFail: mayFail(exercises, sharpResult) };
  });
}
