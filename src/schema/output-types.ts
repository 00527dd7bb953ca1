import type { JobOutputRow } from '../infra/tables.ts';
import { GRAVITIES, POSITIONS } from '../pool/output-options.ts';
import {
  OUTPUT_FORMATS,
  type Fit,
  type OutputFormat,
  type OutputSpec,
  type RequestedFormat,
} from '../pool/task.ts';
import type { Builder } from './builder.ts';

/** An output as stored, with what was asked for it and the job's source size. */
export interface JobOutputView {
  row: JobOutputRow;
  request: OutputSpec | null;
  sourceBytes: number | null;
}

const requestedFormat = (spec: OutputSpec): RequestedFormat =>
  spec.pickSmallest === true ? 'AUTO' : spec.format;

/** The output side of a Job: formats, what was asked for, what was made. */
export function registerOutputTypes(builder: Builder) {
  const OutputFormatEnum = builder.enumType('OutputFormat', { values: OUTPUT_FORMATS });
  const RequestedFormatEnum = builder.enumType('RequestedFormat', {
    description: 'An output format to ask for: one of OutputFormat, or AUTO.',
    values: {
      JPEG: {},
      PNG: {},
      WEBP: {},
      AVIF: {},
      GIF: {
        description: 'Keeps an animated source animated. 256 colours at most, 1-bit alpha.',
      },
      TIFF: { description: 'Lossless by default (LZW); keeps alpha.' },
      AUTO: {
        description:
          'Encode as AVIF, WEBP and JPEG (PNG instead of JPEG when the output has ' +
          'transparency) at the requested quality and keep the smallest. The output\'s ' +
          '`format` says which it chose. Costs one encode per candidate; WEBP\'s 16383-px ' +
          'limit applies. An animated source is encoded as animated WEBP only.',
      },
    } satisfies Record<RequestedFormat, unknown>,
  });
  const FitEnum = builder.enumType('Fit', {
    description: 'How the image fills a box of the requested width and height.',
    values: {
      COVER: { description: 'Fill the box, cropping what overflows.' },
      CONTAIN: { description: 'Fit inside the box, letterboxed to its exact size.' },
      FILL: { description: 'Stretch to the box, ignoring the aspect ratio.' },
      INSIDE: { description: 'As large as possible while inside the box; no letterbox.' },
      OUTSIDE: { description: 'As small as possible while covering the box; no crop.' },
    } satisfies Record<Fit, unknown>,
  });
  const PositionEnum = builder.enumType('Position', {
    description: 'Which part of the image COVER keeps, or where CONTAIN places it in the box.',
    values: POSITIONS,
  });
  const GravityEnum = builder.enumType('Gravity', {
    description:
      'Content-aware crops for COVER. ATTENTION keeps the region most likely to draw the ' +
      'eye (skin, saturation, luminance); ENTROPY keeps the most detailed region.',
    values: GRAVITIES,
  });

  const ResizeType = builder.objectRef<NonNullable<OutputSpec['resize']>>('Resize').implement({
    fields: (t) => ({
      width: t.exposeInt('width', { nullable: true }),
      height: t.exposeInt('height', { nullable: true }),
      fit: t.field({ type: FitEnum, resolve: (r) => r.fit }),
      enlarge: t.exposeBoolean('enlarge'),
      position: t.field({ type: PositionEnum, resolve: (r) => r.position ?? 'CENTRE' }),
      gravity: t.field({ type: GravityEnum, nullable: true, resolve: (r) => r.gravity ?? null }),
    }),
  });

  const OutputRequestType = builder.objectRef<OutputSpec>('OutputRequest').implement({
    description: 'An output as it was asked for: at createJob, or in a preset.',
    fields: (t) => ({
      id: t.exposeString('id'),
      resize: t.field({ type: ResizeType, nullable: true, resolve: (o) => o.resize }),
      format: t.field({ type: RequestedFormatEnum, resolve: requestedFormat }),
      quality: t.exposeInt('quality'),
    }),
  });

  const JobOutputType = builder.objectRef<JobOutputView>('JobOutput').implement({
    description: 'An output the job produced, stored in object storage.',
    fields: (t) => ({
      id: t.string({ resolve: (o) => o.row.outputId }),
      format: t.field({
        type: OutputFormatEnum,
        description: 'The format it is encoded in: for AUTO, the one AUTO chose.',
        resolve: (o) => o.row.format as OutputFormat,
      }),
      requestedFormat: t.field({
        type: RequestedFormatEnum,
        nullable: true,
        description: 'The format asked for: AUTO, or the same as `format`.',
        resolve: (o) => (o.request === null ? null : requestedFormat(o.request)),
      }),
      width: t.int({ resolve: (o) => o.row.width }),
      height: t.int({ resolve: (o) => o.row.height }),
      frames: t.int({
        description:
          'Frames in the output: 1 for a still. GIF and WEBP outputs (and AUTO, as WEBP) of ' +
          'an animated GIF or WEBP source are animated; other formats take the first frame.',
        // Rows stored before animation support have none; they were all stills.
        resolve: (o) => o.row.frames ?? 1,
      }),
      loopCount: t.int({
        nullable: true,
        description: 'Animated outputs: how many times it plays, 0 for forever. Null for stills.',
        resolve: (o) => o.row.loopCount,
      }),
      durationMs: t.int({
        nullable: true,
        description: 'Animated outputs: one play, the sum of its frame delays. Null for stills.',
        resolve: (o) => o.row.durationMs,
      }),
      bytes: t.int({ resolve: (o) => o.row.bytes }),
      bytesSaved: t.float({
        nullable: true,
        description:
          'Source bytes minus output bytes: negative when the output is the larger. Null ' +
          'when the source size was not recorded.',
        resolve: (o) => (o.sourceBytes === null ? null : o.sourceBytes - o.row.bytes),
      }),
      url: t.string({
        description: 'A presigned GET URL, valid for DOWNLOAD_URL_TTL_SECONDS.',
        resolve: async (o, _args, ctx) => {
          const ttl = ctx.config.DOWNLOAD_URL_TTL_SECONDS;
          return (await ctx.storage.presignDownload(o.row.storageKey, ttl)).url;
        },
      }),
    }),
  });

  return {
    OutputFormatEnum,
    RequestedFormatEnum,
    FitEnum,
    PositionEnum,
    GravityEnum,
    OutputRequestType,
    JobOutputType,
  };
}
