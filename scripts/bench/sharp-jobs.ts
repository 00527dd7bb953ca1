import sharp from 'sharp';
import type { Sharp } from 'sharp';

import type { BenchOutput } from './workload.ts';

/**
 * Plain sharp, written the way a user of sharp would write the same job, with
 * the encoder settings PixelFlow uses (src/pool/encode-output.ts): JPEG
 * without mozjpeg, WEBP at its defaults, AVIF at effort 2.
 */
export type RawJob = (input: Buffer, outputs: readonly BenchOutput[]) => Promise<number>;

function encode(image: Sharp, output: BenchOutput): Sharp {
  switch (output.format) {
    case 'JPEG':
      return image.jpeg({ quality: output.quality, mozjpeg: false });
    case 'PNG':
      return image.png();
    case 'WEBP':
      return image.webp({ quality: output.quality });
    case 'AVIF':
      return image.avif({ quality: output.quality, effort: 2 });
    case 'GIF':
      return image.gif();
    case 'TIFF':
      return image.tiff({ compression: 'lzw', predictor: 'horizontal' });
  }
}

/** One pipeline per output from the encoded source: decoded each time, with shrink-on-load. */
export const perOutput: RawJob = async (input, outputs) => {
  let bytes = 0;
  for (const output of outputs) {
    const image = sharp(input, { autoOrient: true })
      .resize({ width: output.width, withoutEnlargement: true })
      .toColourspace('srgb');
    bytes += (await encode(image, output).toBuffer()).byteLength;
  }
  return bytes;
};

/** One decode to the largest output, then every output from those pixels. */
export const cascade: RawJob = async (input, outputs) => {
  const largest = Math.max(...outputs.map((output) => output.width));
  const { data, info } = await sharp(input, { autoOrient: true })
    .resize({ width: largest, withoutEnlargement: true })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: info.width, height: info.height, channels: info.channels };

  let bytes = 0;
  for (const output of outputs) {
    const image = sharp(data, { raw });
    if (output.width < info.width) image.resize({ width: output.width });
    bytes += (await encode(image, output).toBuffer()).byteLength;
  }
  return bytes;
};
