import type { Position, WatermarkSpec } from '../pool/output-options.ts';
import type { Builder } from './builder.ts';
import type { JobTypes } from './job-types.ts';
import { OPTION_RANGES as R, inRange } from './output-option-ranges.ts';
import { checkColour, COLOUR_ACCEPTED, type ReportIssue } from './validate-output-options.ts';

type Maybe<T> = T | null | undefined;

export interface WatermarkArgs {
  text?: Maybe<{
    text: string;
    colour?: Maybe<string>;
    font?: Maybe<string>;
    fontSize?: Maybe<number>;
  }>;
  image?: Maybe<{ assetId: string | number }>;
  gravity?: Maybe<Position>;
  margin?: Maybe<number>;
  size?: Maybe<number>;
  opacity?: Maybe<number>;
  tile?: Maybe<boolean>;
}

/** One line: long enough for a credit or a URL, short enough to stay legible when fitted. */
const MAX_TEXT_LENGTH = 100;
const DEFAULT_FONT = 'Sans';
/**
 * A Pango family name only. No digits: Pango reads a trailing number as the
 * size, and "Sans 99999" makes FreeType fail and libvips find no text.
 */
const FONT_FAMILY = /^[A-Za-z][A-Za-z _-]{0,63}$/;
const ASSET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_GRAVITY: Position = 'RIGHT_BOTTOM';

export function registerWatermarkInput(builder: Builder, types: Pick<JobTypes, 'PositionEnum'>) {
  const WatermarkTextInput = builder.inputType('WatermarkTextInput', {
    description: 'A line of text: fitted to the watermark `size` (Pango picks the font size), ' +
      'or drawn at `fontSize`.',
    fields: (t) => ({
      text: t.string({
        required: true,
        description: `1-${MAX_TEXT_LENGTH} characters of plain text (not markup), ` +
          'without control characters.',
      }),
      colour: t.string({
        defaultValue: '#ffffff',
        description: `${COLOUR_ACCEPTED}; its alpha multiplies the opacity.`,
      }),
      font: t.string({
        defaultValue: DEFAULT_FONT,
        description: 'A font family installed on the server (e.g. "DejaVu Sans", "Serif"); ' +
          'an unknown family falls back to the default sans-serif. 1-64 of A-Z a-z space _ -, ' +
          'starting with a letter: no digits, which Pango would read as a size.',
      }),
      fontSize: t.int({
        description: `The font size in output pixels, ${R.watermarkFontSize.text}. When set, ` +
          'the watermark `size` does not apply to the text; text that would not fit inside ' +
          'the output (within its margin) is scaled down until it does.',
      }),
    }),
  });

  const WatermarkImageInput = builder.inputType('WatermarkImageInput', {
    fields: (t) => ({
      assetId: t.id({
        required: true,
        description: 'An asset from createWatermarkUpload, uploaded by the same owner. ' +
          'startJob checks it as it checks the source.',
      }),
    }),
  });

  return builder.inputType('WatermarkInput', {
    description: 'A mark drawn over the output after resize and adjust: exactly one of ' +
      '`text` or `image`.',
    fields: (t) => ({
      text: t.field({ type: WatermarkTextInput }),
      image: t.field({ type: WatermarkImageInput }),
      gravity: t.field({
        type: types.PositionEnum,
        defaultValue: DEFAULT_GRAVITY,
        description: 'Where the mark sits; ignored when `tile` is set.',
      }),
      margin: t.int({
        defaultValue: R.watermarkMargin.default,
        description: `Output pixels between the mark and the edges it is anchored to, ` +
          `or between tiles, ${R.watermarkMargin.text}. Shrunk when the output has no room.`,
      }),
      size: t.float({
        defaultValue: R.watermarkSize.default,
        description: `The mark's width as a share of the output's width, ` +
          `${R.watermarkSize.text}. It keeps its aspect and never outgrows the output.`,
      }),
      opacity: t.float({
        defaultValue: R.watermarkOpacity.default,
        description: `${R.watermarkOpacity.text}: 0 draws nothing, 1 draws the mark as it is.`,
      }),
      tile: t.boolean({
        defaultValue: false,
        description: 'Repeat the mark over the whole output, `margin` apart.',
      }),
    }),
  });
}

function isPlainText(value: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  return !/[\u0000-\u001f\u007f-\u009f]/.test(value);
}

function checkMark(args: WatermarkArgs, report: ReportIssue): WatermarkSpec['mark'] | null {
  const text = args.text ?? null;
  const image = args.image ?? null;
  if ((text === null) === (image === null)) {
    report(['watermark'], 'needs exactly one mark', 'exactly one of text or image',
      { text: text !== null, image: image !== null });
    return null;
  }

  if (image !== null) {
    const assetId = String(image.assetId);
    if (!ASSET_ID.test(assetId)) {
      report(['watermark', 'image', 'assetId'], 'not an asset id',
        'an assetId returned by createWatermarkUpload', assetId.slice(0, 100));
    }
    return { kind: 'image', assetId: assetId.toLowerCase() };
  }

  const value = text?.text ?? '';
  const length = [...value].length;
  if (value.trim() === '' || length > MAX_TEXT_LENGTH || !isPlainText(value)) {
    report(['watermark', 'text', 'text'], 'not a usable watermark text',
      `1-${MAX_TEXT_LENGTH} characters, not all spaces, without control characters`,
      value.slice(0, MAX_TEXT_LENGTH + 1));
  }
  const font = text?.font ?? DEFAULT_FONT;
  if (!FONT_FAMILY.test(font)) {
    report(['watermark', 'text', 'font'], 'not a font family',
      '1-64 of A-Z a-z space _ -, starting with a letter', font.slice(0, 65));
  }
  const colour = checkColour(text?.colour ?? '#ffffff', ['watermark', 'text', 'colour'], report);
  const fontSize = text?.fontSize ?? null;
  if (fontSize !== null && !inRange(fontSize, R.watermarkFontSize)) {
    report(['watermark', 'text', 'fontSize'], 'out of range', R.watermarkFontSize.text, fontSize);
  }
  return { kind: 'text', text: value, colour, font, ...(fontSize === null ? {} : { fontSize }) };
}

/** The watermark of one output, or null when it asks for none. */
export function checkWatermark(
  args: Maybe<WatermarkArgs>,
  report: ReportIssue,
): WatermarkSpec | null {
  if (args === null || args === undefined) return null;

  const number = (value: Maybe<number>, range: (typeof R)[keyof typeof R], field: string) => {
    const checked = value ?? range.default;
    if (!inRange(checked, range)) report(['watermark', field], 'out of range', range.text, checked);
    return checked;
  };
  const margin = number(args.margin, R.watermarkMargin, 'margin');
  const size = number(args.size, R.watermarkSize, 'size');
  const opacity = number(args.opacity, R.watermarkOpacity, 'opacity');
  const mark = checkMark(args, report);
  if (mark === null) return null;
  return {
    mark,
    gravity: args.gravity ?? DEFAULT_GRAVITY,
    margin,
    size,
    opacity,
    tile: args.tile ?? false,
  };
}
