import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import sharp from 'sharp';

/**
 * The largest sources the default limits accept, made once and cached under
 * .data/ (never in the repository). Each is a square of `side`² pixels: at
 * the default MAX_INPUT_PIXELS (100 MP) a 10000 × 10000 image. The content
 * is a smooth upscale of a Kodak photo (JPEG, WEBP) or a gradient (PNG), so
 * every file stays under SOURCE_MAX_BYTES (50 MiB) while decoding to the full
 * pixel count: memory follows pixels, not bytes.
 */
export interface WorstInput {
  name: string;
  bytes: Buffer;
  width: number;
  height: number;
  sha256: string;
}

/** Bump when a recipe changes, so cached files are made again. */
const RECIPE = 'm1';

type Kind = 'jpeg' | 'webp' | 'png-rgba' | 'png16-rgba';

export const WORST_KINDS: readonly Kind[] = ['jpeg', 'webp', 'png-rgba', 'png16-rgba'];

async function photo(corpusDir: string, side: number) {
  return sharp(join(corpusDir, 'kodak/kodim23.png')).resize(side, side, {
    fit: 'fill',
    kernel: 'cubic',
  });
}

/** Four corner colours stretched over the square: PNG filters make it compress to little. */
function gradient(side: number, sixteenBit: boolean) {
  const corners = Buffer.from([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 64, 255, 255, 0, 255]);
  const image = sharp(corners, { raw: { width: 2, height: 2, channels: 4 } }).resize(side, side, {
    fit: 'fill',
    kernel: 'linear',
  });
  return sixteenBit ? image.toColourspace('rgb16').png({ compressionLevel: 9 }) : image.png();
}

async function make(kind: Kind, corpusDir: string, side: number): Promise<Buffer> {
  switch (kind) {
    case 'jpeg':
      return (await photo(corpusDir, side)).jpeg({ quality: 85 }).toBuffer();
    case 'webp':
      return (await photo(corpusDir, side)).webp({ quality: 80, effort: 0 }).toBuffer();
    case 'png-rgba':
      return gradient(side, false).toBuffer();
    case 'png16-rgba':
      return gradient(side, true).toBuffer();
  }
}

const EXTENSIONS: Record<Kind, string> = {
  jpeg: 'jpg',
  webp: 'webp',
  'png-rgba': 'png',
  'png16-rgba': 'png',
};

export async function prepareWorstInput(
  kind: Kind,
  corpusDir: string,
  outDir: string,
  side: number,
): Promise<WorstInput> {
  const name = `${kind}-${side}x${side}-${RECIPE}.${EXTENSIONS[kind]}`;
  const path = join(outDir, name);
  const bytes = await readFile(path).catch(async (error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(outDir, { recursive: true });
    const made = await make(kind, corpusDir, side);
    // Written under another name first, so a run stopped halfway leaves no torn file.
    await writeFile(`${path}.partial`, made);
    await rename(`${path}.partial`, path);
    return made;
  });
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { name, bytes, width: side, height: side, sha256 };
}
