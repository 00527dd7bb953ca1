import { describeError } from './describe-error.ts';
import { readEncodedImage } from './image-size.ts';
import type { JobOutput } from './job-api.ts';
import type { RequestedOutput } from './requested-outputs.ts';

/**
 * Fetches an output from its presigned URL as a client would, and compares
 * what arrives with what the job reported: status, Content-Type, byte count,
 * and the format and size found in the bytes themselves.
 */
export async function checkDownload(
  request: RequestedOutput,
  output: JobOutput,
  signal: AbortSignal,
): Promise<string[]> {
  const { id } = output;
  let response: Response;
  let body: Uint8Array;
  try {
    response = await fetch(output.url, { signal });
    body = new Uint8Array(await response.arrayBuffer());
  } catch (error: unknown) {
    return [`${id} download failed: ${describeError(error)}`];
  }
  if (response.status !== 200) return [`${id} download answered HTTP ${response.status}`];

  const problems: string[] = [];
  const type = response.headers.get('content-type');
  if (type !== request.contentType) {
    problems.push(`${id} download is ${type ?? 'untyped'}, expected ${request.contentType}`);
  }
  if (body.byteLength !== output.bytes) {
    problems.push(`${id} download has ${body.byteLength} bytes, the job says ${output.bytes}`);
  }

  const image = await readEncodedImage(body);
  if (image === null) return [...problems, `${id} download is not a readable image`];
  const size = `${image.width}x${image.height}`;
  if (size !== `${output.width}x${output.height}`) {
    problems.push(`${id} download is ${size}, the job says ${output.width}x${output.height}`);
  }
  if (image.format !== request.format.toLowerCase()) {
    problems.push(`${id} download holds ${image.format}, expected ${request.format}`);
  }
  return problems;
}
