import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

/**
 * Benchmark inputs: the corpus' Kodak photos upscaled to camera sizes, with
 * seeded grain so they compress and decode like photographs rather than like
 * smooth upscales. Same code, same sharp: same bytes (each file's SHA-256 goes
 * into the results). Written under .data/, never into the repository.
 */

export const KODAK = ['kodim01.png', 'kodim03.png', 'kodim23.png'] as const;

export interface InputSize {
  width: number;
  height: number;
}

export const PHOTO_SIZES: readonly InputSize[] = [
  { width: 2725, height: 2225 },
  { width: 4000, height: 3000 },
];
/** 24 MP, the "large photo" burst. */
export const LARGE_SIZE: InputSize = { width: 6000, height: 4000 };

export interface BenchInput {
  name: string;
  path: string;
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
}

/** Bump when the recipe changes, so cached files are made again. */
const RECIPE = 'g1';
const GRAIN = 6;

export async function prepareInput(
  corpusDir: string,
  outDir: string,
  kodak: string,
  size: InputSize,
): Promise<BenchInput> {
  const name = `${kodak.replace('.png', '')}-${size.width}x${size.height}-${RECIPE}.jpg`;
  const path = join(outDir, name);
  const bytes = await readFile(path).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(outDir, { recursive: true });
    const made = await makePhoto(join(corpusDir, kodak), size);
    // Written under another name first, so a run stopped halfway leaves no torn file.
    await writeFile(`${path}.partial`, made);
    await rename(`${path}.partial`, path);
    return made;
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { name, path, bytes, ...size, sha256 };
}

async function makePhoto(source: string, size: InputSize): Promise<Buffer> {
  const { data, info } = await sharp(source)
    .resize(size.width, size.height, { fit: 'cover', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  addGrain(data, seedOf(source, size));
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } })
    .jpeg({ quality: 90, mozjpeg: false })
    .toBuffer();
}

function seedOf(source: string, size: InputSize): number {
  const digest = createHash('sha256').update(`${source}:${size.width}x${size.height}`).digest();
  return digest.readUInt32LE(0) || 1;
}

/** Triangular noise of ±GRAIN from a xorshift32 generator: reproducible, and cheap. */
function addGrain(pixels: Buffer, seed: number): void {
  let state = seed >>> 0;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
  for (let i = 0; i < pixels.length; i += 1) {
    const noise = Math.round((next() + next() - 1) * GRAIN);
    pixels[i] = Math.min(255, Math.max(0, (pixels[i] as number) + noise));
  }
}

/** A 1×1 PNG: a job whose image work is nearly free, to expose the orchestration. */
export async function tinyPng(): Promise<Buffer> {
  return sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
}
