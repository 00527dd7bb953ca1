import type { Builder } from './builder.ts';
import type { TiffCompression } from '../pool/output-options.ts';
import { OPTION_RANGES as R } from './output-option-ranges.ts';

const COLOUR = 'A hex sRGB colour: "#rrggbb", or "#rrggbbaa" with alpha ("#00000000" is clear).';

/** The option groups of OutputInput beyond size and format, with their enums. */
export function registerOutputOptionInputs(builder: Builder) {
  const TiffCompressionEnum = builder.enumType('TiffCompression', {
    values: {
      LZW: { description: 'Lossless, read by every TIFF reader (default).' },
      DEFLATE: { description: 'Lossless (zip): smaller than LZW, slower to write.' },
      JPEG: { description: 'Lossy, at the output\'s quality; sides up to 65535.' },
      NONE: { description: 'Uncompressed.' },
    } satisfies Record<TiffCompression, unknown>,
  });

  const ChromaSubsamplingEnum = builder.enumType('ChromaSubsampling', {
    values: {
      CHROMA_420: { description: '4:2:0, half-resolution colour: smaller files (default).' },
      CHROMA_444: { description: '4:4:4, full-resolution colour: crisper coloured edges.' },
    },
  });

  const CropInput = builder.inputType('CropInput', {
    description:
      'A rectangle of the upright source (EXIF orientation already applied), in pixels. ' +
      'Clipped to the source; one entirely outside it fails the job with CROP_OUTSIDE_SOURCE.',
    fields: (t) => ({
      left: t.int({ required: true, description: `${R.offset.text}.` }),
      top: t.int({ required: true, description: `${R.offset.text}.` }),
      width: t.int({ required: true, description: `${R.side.text}.` }),
      height: t.int({ required: true, description: `${R.side.text}.` }),
    }),
  });

  const TrimInput = builder.inputType('TrimInput', {
    description: 'Removes borders of the colour of the top-left pixel.',
    fields: (t) => ({
      threshold: t.float({
        defaultValue: R.threshold.default,
        description: `How far a colour may differ from the border's and still be trimmed: ` +
          `${R.threshold.text}. Higher trims more.`,
      }),
    }),
  });

  const RotateInput = builder.inputType('RotateInput', {
    fields: (t) => ({
      angle: t.float({
        required: true,
        description: `Clockwise degrees, ${R.angle.text}. Multiples of 90 are exact; any other ` +
          'angle grows the canvas to hold the turned image.',
      }),
      background: t.string({
        defaultValue: '#00000000',
        description:
          `Fills the corners a free angle uncovers. ${COLOUR} JPEG shows clear as white.`,
      }),
    }),
  });

  const GeometryInput = builder.inputType('GeometryInput', {
    description: 'Applied before the resize, in this order: crop, trim, flip, flop, rotate.',
    fields: (t) => ({
      crop: t.field({ type: CropInput }),
      trim: t.field({
        type: TrimInput,
        description: 'The trimmed size is known only after decoding, so an output that trims ' +
          'makes the job decode its source at full resolution.',
      }),
      flip: t.boolean({ defaultValue: false, description: 'Mirror top to bottom.' }),
      flop: t.boolean({ defaultValue: false, description: 'Mirror left to right.' }),
      rotate: t.field({ type: RotateInput }),
    }),
  });

  const ModulateInput = builder.inputType('ModulateInput', {
    fields: (t) => ({
      brightness: t.float({ defaultValue: 1, description: `Multiplier, ${R.brightness.text}.` }),
      saturation: t.float({
        defaultValue: 1,
        description: `Multiplier, ${R.saturation.text}; 0 is grey.`,
      }),
      hue: t.int({ defaultValue: 0, description: `Hue rotation in degrees, ${R.hue.text}.` }),
    }),
  });

  const AdjustInput = builder.inputType('AdjustInput', {
    description: 'Applied after the resize, on the output pixels, each only when set.',
    fields: (t) => ({
      blur: t.float({ description: `Gaussian blur sigma in output pixels, ${R.blur.text}.` }),
      sharpen: t.float({ description: `Unsharp-mask sigma in output pixels, ${R.sharpen.text}.` }),
      grayscale: t.boolean({
        defaultValue: false,
        description: 'Grey levels only (still an sRGB image).',
      }),
      modulate: t.field({ type: ModulateInput }),
      tint: t.string({
        description: `Keeps the luminance and takes its colour from this one. ${COLOUR}`,
      }),
      gamma: t.float({
        description: `Tone curve, output = input^(1/gamma), ${R.gamma.text}: brightens midtones.`,
      }),
      normalise: t.boolean({
        defaultValue: false,
        description: 'Stretches luminance to the full range (1st to 99th percentile).',
      }),
    }),
  });

  const JpegOptionsInput = builder.inputType('JpegOptionsInput', {
    fields: (t) => ({
      progressive: t.boolean({
        defaultValue: false,
        description: 'Interlaced: shows a coarse image early while loading.',
      }),
      chromaSubsampling: t.field({ type: ChromaSubsamplingEnum, defaultValue: 'CHROMA_420' }),
    }),
  });

  const PngOptionsInput = builder.inputType('PngOptionsInput', {
    fields: (t) => ({
      compressionLevel: t.int({
        defaultValue: R.compressionLevel.default,
        description: `zlib level, ${R.compressionLevel.text}: higher is smaller and slower.`,
      }),
      palette: t.boolean({
        defaultValue: false,
        description: 'Quantise to at most 256 colours (lossy, bounded by quality): much smaller.',
      }),
    }),
  });

  const effortInput = (name: string, range: { default: number; text: string }) =>
    builder.inputType(name, {
      fields: (t) => ({
        lossless: t.boolean({
          defaultValue: false,
          description: 'Exact pixels; quality is ignored.',
        }),
        effort: t.int({
          defaultValue: range.default,
          description: `CPU spent to make the file smaller, ${range.text}.`,
        }),
      }),
    });

  const GifOptionsInput = builder.inputType('GifOptionsInput', {
    description: 'GIF keeps transparency as one palette entry: a pixel is clear or opaque.',
    fields: (t) => ({
      colours: t.int({
        defaultValue: R.gifColours.default,
        description: `Palette size, ${R.gifColours.text}: fewer is smaller and coarser.`,
      }),
      dither: t.float({
        defaultValue: R.gifDither.default,
        description: `Floyd-Steinberg error diffusion, ${R.gifDither.text}: 0 gives flat ` +
          'bands, 1 the smoothest gradients (and larger files).',
      }),
      effort: t.int({
        defaultValue: R.gifEffort.default,
        description: `CPU spent on the palette, ${R.gifEffort.text}.`,
      }),
    }),
  });

  const TiffOptionsInput = builder.inputType('TiffOptionsInput', {
    description: 'TIFF keeps alpha; quality applies only to JPEG compression.',
    fields: (t) => ({
      compression: t.field({ type: TiffCompressionEnum, defaultValue: 'LZW' }),
    }),
  });

  const KeepMetadataInput = builder.inputType('KeepMetadataInput', {
    description: 'Metadata is stripped by default; these keep parts of it.',
    fields: (t) => ({
      icc: t.boolean({
        defaultValue: false,
        description: 'Embed an sRGB ICC profile. Pixels are always converted to sRGB, so the ' +
          "source's own profile would misdescribe them.",
      }),
      exif: t.boolean({
        defaultValue: false,
        description: "Keep the source's EXIF, with its orientation reset to upright. Not for " +
          'GIF or TIFF outputs, which carry no EXIF.',
      }),
      copyright: t.boolean({
        defaultValue: false,
        description: "Keep only the source's EXIF Copyright (and Artist) text. Not for GIF or " +
          'TIFF outputs.',
      }),
      gainMap: t.boolean({
        defaultValue: false,
        description: "Keep the source's Ultra HDR gain map, resized with the image. JPEG " +
          'outputs of a JPEG source that has one, with crop, flip, flop and resize (no trim, ' +
          'rotate, gravity, adjust or watermark); otherwise the output is made without it. ' +
          'Costs a second decode of the source for each such output.',
      }),
    }),
  });

  return {
    GeometryInput,
    AdjustInput,
    JpegOptionsInput,
    PngOptionsInput,
    WebpOptionsInput: effortInput('WebpOptionsInput', R.webpEffort),
    AvifOptionsInput: effortInput('AvifOptionsInput', R.avifEffort),
    GifOptionsInput,
    TiffOptionsInput,
    KeepMetadataInput,
  };
}
