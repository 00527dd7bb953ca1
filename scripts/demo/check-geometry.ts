import type { Size } from './image-size.ts';
import type { JobOutput } from './job-api.ts';
import type { RequestedOutput } from './requested-outputs.ts';

/**
 * How far the output's height may be from the source's aspect at the
 * output's width: half a pixel of rounding, plus half for a shrink-on-load
 * decode that rounds the intermediate size first.
 */
const ASPECT_TOLERANCE_PX = 1;

/** What the file name promises about the upright shape, for the EXIF test set. */
function expectedShape(file: string): 'portrait' | 'landscape' | null {
  if (file.startsWith('exif-orientation/Portrait_')) return 'portrait';
  if (file.startsWith('exif-orientation/Landscape_')) return 'landscape';
  return null;
}

/**
 * Problems with one output's format and size, given the source's upright size
 * (null when it could not be read: only what needs no source is checked).
 */
export function checkGeometry(
  file: string,
  request: RequestedOutput,
  output: JobOutput,
  source: Size | null,
): string[] {
  const problems: string[] = [];
  const { id, width, height } = output;
  if (output.format !== request.format) {
    problems.push(`${id} is ${output.format}, asked for ${request.format}`);
  }

  const shape = expectedShape(file);
  if (shape === 'portrait' && !(height > width)) {
    problems.push(`${id} ${width}x${height} is not portrait`);
  }
  if (shape === 'landscape' && !(width > height)) {
    problems.push(`${id} ${width}x${height} is not landscape`);
  }

  if (source === null) {
    if (width > request.width) problems.push(`${id} is ${width} px wide, over ${request.width}`);
    return problems;
  }

  const sourceText = `source ${source.width}x${source.height}`;
  const expectedWidth = Math.min(request.width, source.width);
  if (width !== expectedWidth) {
    problems.push(`${id} is ${width} px wide, expected ${expectedWidth} (${sourceText})`);
  }
  const expectedHeight = (source.height * width) / source.width;
  if (Math.abs(height - expectedHeight) > ASPECT_TOLERANCE_PX) {
    const rounded = Math.round(expectedHeight);
    const expected = `expected ~${rounded} high (${sourceText})`;
    problems.push(`${id} ${width}x${height} breaks the aspect, ${expected}`);
  }
  return problems;
}
