import sharp from 'sharp';

export interface Size {
  width: number;
  height: number;
}

/**
 * The upright size of an image's first page (after EXIF orientation), read
 * from its header only; null when the header cannot be read. sharp is already
 * the service's decoder, so this matches what the service sees, not a second
 * opinion: the Portrait and Landscape checks by file name are the independent one.
 */
export async function readUprightSize(bytes: Uint8Array): Promise<Size | null> {
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    return metadata.autoOrient;
  } catch (error: unknown) {
    if (error instanceof Error) return null;
    throw error;
  }
}

/** The format sharp finds in encoded bytes, with the size; null when unreadable. */
export async function readEncodedImage(
  bytes: Uint8Array,
): Promise<(Size & { format: string }) | null> {
  try {
    const { format, width, height } = await sharp(bytes).metadata();
    return { format, width, height };
  } catch (error: unknown) {
    if (error instanceof Error) return null;
    throw error;
  }
}
