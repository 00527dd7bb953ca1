import exifReader from 'exif-reader';
import type { Sharp } from 'sharp';

import type { MetadataSpec } from './output-options.ts';

/** libvips' names for the IFDs exif-reader returns, as sharp's withExif() takes them. */
const IFDS = { Image: 'IFD0', Photo: 'IFD2', GPSInfo: 'IFD3' } as const;

/**
 * Tags that describe the source's encoding or layout, not the picture: they
 * would be wrong for the output, and libvips writes its own.
 */
const LAYOUT_TAGS = new Set([
  'ImageWidth', 'ImageLength', 'BitsPerSample', 'Compression', 'PhotometricInterpretation',
  'StripOffsets', 'SamplesPerPixel', 'RowsPerStrip', 'StripByteCounts', 'PlanarConfiguration',
  'ExifTag', 'GPSTag', 'InteroperabilityTag', 'PixelXDimension', 'PixelYDimension',
  'JPEGInterchangeFormat', 'JPEGInterchangeFormatLength', 'ColorSpace', 'Orientation',
  'YCbCrPositioning', 'YCbCrSubSampling', 'ComponentsConfiguration',
]);

const COPYRIGHT_TAGS = new Set(['Copyright', 'Artist']);

/** EXIF's own date form, "YYYY:MM:DD HH:MM:SS"; exif-reader reads the local time as UTC. */
function exifDate(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10).replaceAll('-', ':')} ${iso.slice(11, 19)}`;
}

/**
 * A fraction for a rational tag: libvips reads "0.000125" back as 0, but
 * "1/8000" exactly. Continued fractions find the simplest one within 1e-9.
 */
function asFraction(value: number): string {
  if (Number.isInteger(value)) return String(value);
  let [h0, h1, k0, k1] = [0, 1, 1, 0];
  let rest = Math.abs(value);
  for (let i = 0; i < 32; i += 1) {
    const whole = Math.floor(rest);
    [h0, h1] = [h1, whole * h1 + h0];
    [k0, k1] = [k1, whole * k1 + k0];
    if (k1 > 1_000_000 || Math.abs(h1 / k1 - Math.abs(value)) < 1e-9) break;
    rest = 1 / (rest - whole);
  }
  return `${value < 0 ? '-' : ''}${h1}/${k1}`;
}

/** A value as libvips parses it back for the tag's type, or null for binary ones. */
function asText(value: unknown): string | null {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex -- EXIF text is NUL-padded
    const text = value.replace(/\u0000+$/, '');
    return text.length > 0 ? text : null;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return asFraction(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return exifDate(value);
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) {
    return value.map(asFraction).join(' ');
  }
  return null;
}

type ExifTags = Record<string, Record<string, string>>;

/**
 * The source's EXIF reduced to what `spec` keeps, as text tags for sharp's
 * withExif(): the decode hands the encoder bare pixels, so the source's EXIF
 * has to be carried across by value. Orientation is left out, since the
 * pixels are already upright; binary tags (maker notes) are dropped.
 */
export function keptExif(source: Buffer | undefined, spec: MetadataSpec): ExifTags | null {
  if (source === undefined || (!spec.exif && !spec.copyright)) return null;

  let parsed: ReturnType<typeof exifReader>;
  try {
    parsed = exifReader(source);
  } catch {
    // Unreadable EXIF is metadata we cannot keep, not a reason to fail the image.
    return null;
  }

  const tags: ExifTags = {};
  for (const [group, ifd] of Object.entries(IFDS)) {
    const entries = parsed[group as keyof typeof IFDS] ?? {};
    for (const [name, value] of Object.entries(entries)) {
      const wanted = spec.exif ? !LAYOUT_TAGS.has(name) : COPYRIGHT_TAGS.has(name);
      const text = wanted ? asText(value) : null;
      if (text !== null) tags[ifd] = { ...tags[ifd], [name]: text };
    }
  }
  return Object.keys(tags).length > 0 ? tags : null;
}

/** Adds what the output keeps; with nothing kept, sharp strips all metadata. */
export function applyKeptMetadata(
  image: Sharp,
  spec: MetadataSpec | null | undefined,
  exif: Buffer | undefined,
): Sharp {
  if (spec === null || spec === undefined) return image;
  // The pixels are sRGB whatever the source was, so sRGB is the profile that is true.
  if (spec.icc) image.withIccProfile('srgb');
  const tags = keptExif(exif, spec);
  if (tags !== null) image.withExif(tags);
  return image;
}
