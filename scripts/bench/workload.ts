import type { OutputSpec } from '../../src/pool/task.ts';

/**
 * What every benchmark job asks for. The API takes the GraphQL form; the raw
 * sharp ceiling and processImage take the validated form with the same values
 * (quality 80 is the API's default).
 */
export interface BenchOutput {
  id: string;
  width: number;
  format: OutputSpec['format'];
  quality: number;
}

export const PHOTO_OUTPUTS: readonly BenchOutput[] = [
  { id: 'thumb', width: 150, format: 'WEBP', quality: 80 },
  { id: 'medium', width: 720, format: 'JPEG', quality: 80 },
  { id: 'large', width: 1920, format: 'WEBP', quality: 80 },
];

export const AVIF_OUTPUTS: readonly BenchOutput[] = [
  { id: 'avif', width: 720, format: 'AVIF', quality: 80 },
];

export const WORKLOADS = { photo: PHOTO_OUTPUTS, avif: AVIF_OUTPUTS } as const;
export type WorkloadName = keyof typeof WORKLOADS;

/** The `outputs` argument of createJob. */
export function toGraphQLOutputs(outputs: readonly BenchOutput[]) {
  return outputs.map(({ id, width, format, quality }) => ({
    id,
    resize: { width },
    format,
    quality,
  }));
}

/** The same outputs as the worker receives them after validation. */
export function toOutputSpecs(outputs: readonly BenchOutput[]): OutputSpec[] {
  return outputs.map(({ id, width, format, quality }) => ({
    id,
    resize: { width, height: null, fit: 'INSIDE', enlarge: false },
    format,
    quality,
  }));
}
