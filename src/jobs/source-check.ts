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
  | { ok: false; code: 'UNSUPPORTED_FORMAT'; message: string; detectedFormat: string | null };

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
    detectedFormat: format.name,
  };
}

export async function detectFormat(
  head: Uint8Array,
): Promise<{ accepted: boolean; name: string | null }> {
  const type = await fileTypeFromBuffer(head);
  if (looksLikeSvg(head) && (!type || type.ext === 'xml')) return { accepted: true, name: 'SVG' };
  if (!type) {
    // file-type walks a TIFF's directory to tell TIFF-based raw formats apart,
    // and gives up when the directory lies past the bytes sniffed.
    return isTiffHeader(head) ? { accepted: true, name: 'TIFF' } : { accepted: false, name: null };
  }

  const accepted = ACCEPTED_FORMATS[type.ext];
  return { accepted: accepted !== undefined, name: accepted ?? type.ext.toUpperCase() };
}

function isTiffHeader(head: Uint8Array): boolean {
  const [a, b, c, d] = head;
  return (a === 0x49 && b === 0x49 && c === 0x2a && d === 0x00)
    || (a === 0x4d && b === 0x4d && c === 0x00 && d === 0x2a);
}

/** SVG is text, so it has no magic number: an XML prolog or an `<svg` root near the start. */
function looksLikeSvg(head: Uint8Array): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  return (start.startsWith('<?xml') || start.startsWith('<svg') || start.startsWith('<!--'))
    && /<svg[\s>]/.test(text);
}
