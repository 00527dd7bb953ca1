import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { WORST_KINDS, prepareWorstInput } from './worst-inputs.ts';

/** One job as a client submits it: the source it uploads and the outputs it asks for. */
export interface MemoryJob {
  label: string;
  source: Uint8Array<ArrayBuffer>;
  outputs: readonly object[];
}

export interface Scenario {
  name: string;
  /** What it stresses, for the report. */
  about: string;
  jobs: MemoryJob[];
  /** Clients submitting at once: jobs beyond the pool's threads wait in the queue. */
  clients: number;
}

/** The limits the replica runs with: the production defaults, unless --smoke scales them. */
export interface Limits {
  poolThreads: number;
  maxInputPixels: number;
  maxOutputPixels: number;
  maxOutputsPerJob: number;
  maxJobOutputPixels: number;
}

/**
 * What most clients ask for: a thumbnail, a page-size JPEG and a large WEBP,
 * each no wider than `side` (the largest output the limits allow).
 */
function typicalOutputs(side: number) {
  return [
    { id: 'thumb', resize: { width: Math.min(150, side) }, format: 'WEBP' },
    { id: 'page', resize: { width: Math.min(720, side) }, format: 'JPEG' },
    { id: 'large', resize: { width: Math.min(1920, side) }, format: 'WEBP' },
  ];
}

/** Every corpus file gets these five outputs (the full-size PNG only where the limits allow). */
const CORPUS_OUTPUTS = [
  ...typicalOutputs(1920),
  { id: 'avif', resize: { width: 320 }, format: 'AVIF' },
  { id: 'full', format: 'PNG' },
];

const mebibytes = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const copy = (bytes: Uint8Array) => new Uint8Array(bytes);

async function readManifest(corpusDir: string): Promise<string[]> {
  const text = await readFile(join(corpusDir, 'MANIFEST.tsv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t')[0] ?? '')
    .filter((file) => file !== '');
}

export async function corpusScenario(corpusDir: string, limit?: number): Promise<Scenario> {
  const files = (await readManifest(corpusDir)).slice(0, limit);
  const jobs = await Promise.all(
    files.map(async (file) => ({
      label: file,
      source: copy(await readFile(join(corpusDir, file))),
      outputs: CORPUS_OUTPUTS,
    })),
  );
  return {
    name: 'corpus',
    about: `every corpus file (${files.length}), 5 outputs each (150-1920 px, AVIF, full-size PNG)`,
    jobs,
    clients: 4,
  };
}

/**
 * The worst jobs the limits allow, each in its own scenario so the report
 * shows what drives the peak: a source of MAX_INPUT_PIXELS in each format,
 * outputs of MAX_OUTPUT_PIXELS, and a job of as many outputs that large as
 * MAX_JOB_OUTPUT_PIXELS allows. Every scenario keeps the pool full.
 */
export async function worstScenarios(
  corpusDir: string,
  inputDir: string,
  limits: Limits,
  log: (line: string) => void,
): Promise<Scenario[]> {
  const inputSide = Math.floor(Math.sqrt(limits.maxInputPixels));
  const outputSide = Math.floor(Math.sqrt(limits.maxOutputPixels));
  const clients = limits.poolThreads;
  const twice = (job: MemoryJob) => Array.from({ length: clients }, () => job);
  const scenarios: Scenario[] = [];

  for (const kind of WORST_KINDS) {
    log(`preparing the ${inputSide}² ${kind} source`);
    const input = await prepareWorstInput(kind, corpusDir, inputDir, inputSide);
    scenarios.push({
      name: `max-input-${kind}`,
      about: `${inputSide}×${inputSide} ${kind} (${mebibytes(input.bytes.length)} MiB),` +
        ' typical outputs',
      jobs: twice({
        label: input.name,
        source: copy(input.bytes),
        outputs: typicalOutputs(outputSide),
      }),
      clients,
    });
  }

  const jpeg = await prepareWorstInput('jpeg', corpusDir, inputDir, inputSide);
  scenarios.push({
    name: 'max-outputs',
    about: `${inputSide}² JPEG to ${outputSide}² PNG (zlib 0) and WEBP`,
    jobs: twice({
      label: jpeg.name,
      source: copy(jpeg.bytes),
      // Two outputs of MAX_OUTPUT_PIXELS: all that MAX_JOB_OUTPUT_PIXELS allows.
      outputs: [
        { id: 'png', resize: { width: outputSide }, format: 'PNG', png: { compressionLevel: 0 } },
        { id: 'webp', resize: { width: outputSide }, format: 'WEBP', webp: { effort: 0 } },
      ],
    }),
    clients,
  });

  // Full-size outputs of a MAX_OUTPUT_PIXELS source cost no resize, so this
  // is the cheapest way to make a job hold the most output bytes at once.
  log(`preparing the ${outputSide}² RGBA PNG source`);
  const rgba = await prepareWorstInput('png-rgba', corpusDir, inputDir, outputSide);
  // As many as MAX_JOB_OUTPUT_PIXELS lets one job hold at once.
  const fit = Math.floor(limits.maxJobOutputPixels / (outputSide * outputSide));
  const count = Math.max(1, Math.min(limits.maxOutputsPerJob, fit));
  const outputs = Array.from({ length: count }, (_, i) => ({
    id: `png${i}`,
    format: 'PNG',
    png: { compressionLevel: 0 },
  }));
  scenarios.push({
    name: 'many-max-outputs',
    about: `${outputSide}² RGBA PNG to ${count} full-size PNGs (zlib 0)`,
    jobs: twice({ label: rgba.name, source: copy(rgba.bytes), outputs }),
    clients,
  });
  return scenarios;
}
