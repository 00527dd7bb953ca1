/** An output the demo asks every job for, and what a correct result looks like. */
export interface RequestedOutput {
  id: string;
  format: 'WEBP' | 'JPEG';
  /** Target width in pixels; the source is never enlarged to reach it. */
  width: number;
  /** The Content-Type the presigned GET must answer with. */
  contentType: string;
}

export const REQUESTED_OUTPUTS: readonly RequestedOutput[] = [
  { id: 'thumb', format: 'WEBP', width: 150, contentType: 'image/webp' },
  { id: 'large', format: 'JPEG', width: 720, contentType: 'image/jpeg' },
];

/** The `outputs` of CreateJobInput: width only, default fit, no enlargement. */
export function outputInputs(): object[] {
  return REQUESTED_OUTPUTS.map(({ id, format, width }) => ({
    id,
    format,
    resize: { width },
  }));
}
