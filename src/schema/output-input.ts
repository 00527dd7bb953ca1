import type { Config } from '../config.ts';
import {
  AUTO_OPAQUE_FORMATS,
  AUTO_TRANSPARENT_FORMATS,
  type OutputFormat,
  type OutputSpec,
  type RequestedFormat,
} from '../pool/task.ts';
import type { Builder } from './builder.ts';
import type { JobTypes } from './job-types.ts';
import { registerOutputOptionInputs } from './output-option-inputs.ts';
import { checkResize, registerResizeInput, type ResizeArgs } from './resize-input.ts';
import {
  checkAdjust,
  checkEncoding,
  checkGeometry,
  checkMetadata,
  type AdjustArgs,
  type EncodingArgs,
  type GeometryArgs,
  type MetadataArgs,
  type ReportIssue,
} from './validate-output-options.ts';
import { checkWatermark, registerWatermarkInput, type WatermarkArgs } from './watermark-input.ts';

const OUTPUT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DEFAULT_QUALITY = 80;

/** One output as a client spells it, in createJob or savePreset. */
export interface OutputArgs extends EncodingArgs {
  id: string;
  resize?: ResizeArgs | null;
  format: RequestedFormat;
  quality?: number | null;
  geometry?: GeometryArgs | null;
  adjust?: AdjustArgs | null;
  keepMetadata?: MetadataArgs | null;
  watermark?: WatermarkArgs | null;
}

export interface OutputLimits {
  maxOutputs: number;
  /** Largest width × height one output may ask for. */
  maxOutputPixels: number;
}

/** The limits every list of outputs is held to, from the server's config. */
export function outputLimits(config: Config): OutputLimits {
  return { maxOutputs: config.MAX_OUTPUTS_PER_JOB, maxOutputPixels: config.MAX_OUTPUT_PIXELS };
}

export type OutputInputRef = ReturnType<typeof registerOutputInput>;

/** `OutputInput`, shared by every input that lists outputs. */
export function registerOutputInput(builder: Builder, types: JobTypes) {
  const options = registerOutputOptionInputs(builder);
  const ResizeInput = registerResizeInput(builder, types);
  const WatermarkInput = registerWatermarkInput(builder, types);

  return builder.inputType('OutputInput', {
    fields: (t) => ({
      id: t.string({
        required: true,
        description: 'Your name for this output, unique within the job: 1-64 of A-Z a-z 0-9 _ -.',
      }),
      resize: t.field({ type: ResizeInput, description: 'Omit to keep the source size.' }),
      format: t.field({ type: types.RequestedFormatEnum, required: true }),
      quality: t.int({ defaultValue: DEFAULT_QUALITY, description: '1..100.' }),
      geometry: t.field({ type: options.GeometryInput }),
      adjust: t.field({ type: options.AdjustInput }),
      jpeg: t.field({ type: options.JpegOptionsInput, description: 'JPEG or AUTO only.' }),
      png: t.field({ type: options.PngOptionsInput, description: 'PNG or AUTO only.' }),
      webp: t.field({ type: options.WebpOptionsInput, description: 'WEBP or AUTO only.' }),
      avif: t.field({ type: options.AvifOptionsInput, description: 'AVIF or AUTO only.' }),
      gif: t.field({ type: options.GifOptionsInput, description: 'GIF only.' }),
      tiff: t.field({ type: options.TiffOptionsInput, description: 'TIFF only.' }),
      keepMetadata: t.field({ type: options.KeepMetadataInput }),
      watermark: t.field({
        type: WatermarkInput,
        description: 'Text or an uploaded image drawn over the output, before encoding.',
      }),
    }),
  });
}

/**
 * The outputs as the pool runs them, reporting every problem under
 * ["outputs", index, ...]. What a preset stores and what a job stores pass
 * through this one check.
 */
export function checkOutputs(
  outputs: OutputArgs[],
  limits: OutputLimits,
  issue: ReportIssue,
): OutputSpec[] {
  const { maxOutputs } = limits;
  if (outputs.length < 1 || outputs.length > maxOutputs) {
    issue(['outputs'], 'wrong number of outputs', `1..${maxOutputs} outputs`, outputs.length);
  }

  const seen = new Set<string>();
  return outputs.map((output, index): OutputSpec => {
    const at = (field: string) => ['outputs', index, field];
    if (!OUTPUT_ID.test(output.id)) {
      issue(at('id'), 'invalid output id', '1-64 characters of A-Z a-z 0-9 _ -', output.id);
    } else if (seen.has(output.id)) {
      issue(at('id'), 'duplicate output id', 'an id unique within the job', output.id);
    }
    seen.add(output.id);

    const quality = output.quality ?? DEFAULT_QUALITY;
    if (quality < 1 || quality > 100) issue(at('quality'), 'out of range', '1..100', quality);

    const report: ReportIssue = (path, ...rest) => issue(['outputs', index, ...path], ...rest);
    const auto = output.format === 'AUTO';
    const format: OutputFormat = output.format === 'AUTO' ? 'AVIF' : output.format;
    const usable = auto ? [...new Set([...AUTO_OPAQUE_FORMATS, ...AUTO_TRANSPARENT_FORMATS])]
      : [format];
    // Groups left out of the request stay out of the spec: absent means default,
    // and the stored job keeps only what the client asked for.
    const resize = checkResize(output.resize, limits.maxOutputPixels, report);
    const geometry = checkGeometry(output.geometry, report);
    const adjust = checkAdjust(output.adjust, report);
    const encoding = checkEncoding(output, usable, report);
    const keepMetadata = checkMetadata(output.keepMetadata, usable, report);
    const watermark = checkWatermark(output.watermark, report);
    return {
      id: output.id,
      format,
      ...(auto ? { pickSmallest: true } : {}),
      quality,
      resize,
      ...(geometry === null ? {} : { geometry }),
      ...(adjust === null ? {} : { adjust }),
      ...(encoding === null ? {} : { encoding }),
      ...(keepMetadata === null ? {} : { keepMetadata }),
      ...(watermark === null ? {} : { watermark }),
    };
  });
}
