import { describe, expect, it } from 'vitest';

import { formatPresetRef, isPresetName, parsePresetRef } from '../../src/presets/preset-ref.ts';

describe('preset refs', () => {
  it.each([
    ['thumbs@2', { name: 'thumbs', version: 2 }],
    ['thumbs', { name: 'thumbs', version: null }],
    ['0-web_small@17', { name: '0-web_small', version: 17 }],
    [`${'a'.repeat(64)}@1`, { name: 'a'.repeat(64), version: 1 }],
    ['x@2147483647', { name: 'x', version: 2147483647 }],
  ])('read %s', (value, ref) => {
    expect(parsePresetRef(value)).toEqual(ref);
  });

  it.each([
    '',
    '@1',
    'thumbs@',
    'thumbs@0',
    'thumbs@01',
    'thumbs@-1',
    'thumbs@1.5',
    'thumbs@1e3',
    'thumbs@ 1',
    'thumbs@1@2',
    'thumbs@2147483648',
    'thumbs@99999999999',
    'Thumbs@1',
    '-thumbs',
    '_thumbs',
    'thumbs!',
    'th umbs',
    'thumbs\u0000',
    'a'.repeat(65),
  ])('refuse %j', (value) => {
    expect(parsePresetRef(value)).toBeNull();
  });

  it('write back what they read', () => {
    expect(formatPresetRef('thumbs', 2)).toBe('thumbs@2');
    expect(parsePresetRef(formatPresetRef('thumbs', 2))).toEqual({ name: 'thumbs', version: 2 });
  });

  it('accept as names only what a ref can name', () => {
    expect(isPresetName('thumbs')).toBe(true);
    expect(isPresetName('thumbs@1')).toBe(false);
    expect(isPresetName('UPPER')).toBe(false);
  });
});
