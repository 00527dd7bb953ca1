import { fileTypeFromBuffer } from 'file-type';

import type { Storage } from '../infra/storage.ts';

/** The source formats the pipeline decodes, keyed by file-type's extension. */
const ACCEPTED_FORMATS: Record<string, string> = {
  jpg: 'JPEG',
  png: 'PNG',
  apng: 'PNG',
  webp: 'WEBP',
  gif: 'GIF',
  avif: 'AVIF',
  tif: 'TIFF',
};

export const ACCEPTED_FORMAT_NAMES = [...new Set(Object.values(ACCEPTED_FORMATS)), 'SVG'];

/** Enough bytes for every signature file-type knows. */
const SNIFF_BYTES = 4100;

export type SourceCheck =
  | { ok: true; bytes: number; format: string }
  | { ok: false; code: 'SOURCE_MISSING'; message: string }
  | { ok: false; code: 'SOURCE_EMPTY'; message: string }
  | { ok: false; code: 'SOURCE_TOO_LARGE'; message: string; bytes: number; maxBytes: number }
  | {
      ok: false;
      code: 'UNSUPPORTED_FORMAT';
      message: string;
      bytes: number;
      detectedFormat: string | null;
    };

/**
 * What `startJob` checks before a job may be queued: the uploaded object
 * exists, its size is within limits, and its first bytes name a format we
 * decode. Pixels are not touched here; the worker checks dimensions and
 * decodes under its own limits.
 */
export async function checkSource(
  storage: Storage,
  key: string,
  maxBytes: number,
): Promise<SourceCheck> {
  const bytes = await storage.size(key);
  if (bytes === null) {
    return { ok: false, code: 'SOURCE_MISSING', message: 'no source has been uploaded' };
  }
  if (bytes === 0) {
    return { ok: false, code: 'SOURCE_EMPTY', message: 'the uploaded source is empty' };
  }
  if (bytes > maxBytes) {
    return {
      ok: false,
      code: 'SOURCE_TOO_LARGE',
      message: `the source is ${bytes} bytes; at most ${maxBytes} are accepted`,
      bytes,
      maxBytes,
    };
  }

  const head = await storage.readHead(key, Math.min(bytes, SNIFF_BYTES));
  const format = await detectFormat(head);
  if (format.accepted && format.name) return { ok: true, bytes, format: format.name };

  const detected = format.name ? `detected ${format.name}` : 'not a recognised image format';
  return {
    ok: false,
    code: 'UNSUPPORTED_FORMAT',
    message: `${detected}; accepted formats are ${ACCEPTED_FORMAT_NAMES.join(', ')}`,
    bytes,
    detectedFormat: format.name,
  };
}

export async function detectFormat(
  head: Uint8Array,
): Promise<{ accepted: boolean; name: string | null }> {
  const type = await fileTypeFromBuffer(head);
  if (looksLikeSvg(head) && (!type || type.ext === 'xml')) return { accepted: true, name: 'SVG' };
  if (!type) {
    // file-type looks past the signature (a TIFF's directory, a PNG's first
    // chunk) and gives up when that is damaged or beyond the bytes sniffed.
    // The signature is enough here: the decoder judges the rest.
    const name = signatureFormat(head);
    return { accepted: name !== null, name };
  }
  if (type.ext === 'avif' && brandOf(head) === 'avis') {
    return { accepted: false, name: 'AVIF image sequence' };
  }

  const accepted = ACCEPTED_FORMATS[type.ext];
  return { accepted: accepted !== undefined, name: accepted ?? type.ext.toUpperCase() };
}

const SIGNATURES: [string, number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['JPEG', [0xff, 0xd8, 0xff]],
  ['TIFF', [0x49, 0x49, 0x2a, 0x00]],
  ['TIFF', [0x4d, 0x4d, 0x00, 0x2a]],
];

function signatureFormat(head: Uint8Array): string | null {
  const match = SIGNATURES.find(([, bytes]) => bytes.every((byte, i) => head[i] === byte));
  return match ? match[0] : null;
}

/** The major brand of an ISO-BMFF file; libvips reads AVIF stills, not `avis` sequences. */
function brandOf(head: Uint8Array): string {
  return new TextDecoder('latin1').decode(head.subarray(8, 12));
}

/** SVG is text, so it has no magic number: an XML prolog or an `<svg` root near the start. */
function looksLikeSvg(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  return (start.startsWith('<?xml') || start.startsWith('<svg') || start.startsWith('<!--'))
    && /<svg[\s>]/.test(text);
}
