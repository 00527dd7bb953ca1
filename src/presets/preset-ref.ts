/** A preset's name: lower case, so "Thumbs" and "thumbs" cannot be two presets. */
export const PRESET_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const PRESET_NAME_ACCEPTED = '1-64 of a-z 0-9 _ -, starting with a letter or digit';

/** Versions are Postgres integers, counted from 1. */
const MAX_VERSION = 2 ** 31 - 1;
const VERSION = /^[1-9][0-9]{0,9}$/;

export const PRESET_REF_ACCEPTED = '"name@version" (e.g. "thumbs@2"), or "name" for the latest';

/** What a job names: one version of a preset, or its latest when `version` is null. */
export interface PresetRef {
  name: string;
  version: number | null;
}

export function isPresetName(value: string): boolean {
  return PRESET_NAME.test(value);
}

/** "thumbs@2" → { name: "thumbs", version: 2 }; "thumbs" → latest; null when malformed. */
export function parsePresetRef(value: string): PresetRef | null {
  const at = value.indexOf('@');
  const name = at < 0 ? value : value.slice(0, at);
  if (!isPresetName(name)) return null;
  if (at < 0) return { name, version: null };

  const digits = value.slice(at + 1);
  if (!VERSION.test(digits)) return null;
  const version = Number(digits);
  return version <= MAX_VERSION ? { name, version } : null;
}

export function formatPresetRef(name: string, version: number): string {
  return `${name}@${version}`;
}
