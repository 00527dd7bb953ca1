import type { Readable } from 'node:stream';

import * as Minio from 'minio';

export interface StorageOptions {
  /** Where this process reaches the object store. */
  endpoint: string;
  /** Where clients reach it; presigned URLs are signed for this host. */
  publicEndpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  bucket: string;
}

export interface PresignedUrl {
  url: string;
  expiresAt: Date;
}

export interface Storage {
  ensureBucket(): Promise<void>;
  presignUpload(key: string, ttlSeconds: number): Promise<PresignedUrl>;
  presignDownload(key: string, ttlSeconds: number): Promise<PresignedUrl>;
  /** The object's size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  /** Up to `length` bytes from the start of the object. */
  readHead(key: string, length: number): Promise<Uint8Array>;
  /**
   * The whole object in a standalone ArrayBuffer that can be transferred to a
   * thread. Throws ObjectMissingError, or ObjectTooLargeError past `maxBytes`
   * (having read no more than that).
   */
  read(key: string, maxBytes: number): Promise<ArrayBuffer>;
  write(key: string, data: Uint8Array, contentType: string): Promise<void>;
  remove(keys: string[]): Promise<void>;
  ping(): Promise<void>;
}

export function createStorage(options: StorageOptions): Storage {
  const internal = createClient(options.endpoint, options);
  // With a region set, minio signs offline instead of asking the server for it.
  const signer = createClient(options.publicEndpoint, options);
  const { bucket } = options;

  return {
    async ensureBucket() {
      if (await internal.bucketExists(bucket)) return;
      await internal.makeBucket(bucket, options.region);
    },

    async presignUpload(key, ttlSeconds) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const url = await signer.presignedPutObject(bucket, key, ttlSeconds);
      return { url, expiresAt };
    },

    async presignDownload(key, ttlSeconds) {
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      const url = await signer.presignedGetObject(bucket, key, ttlSeconds);
      return { url, expiresAt };
    },

    async size(key) {
      try {
        const stat = await internal.statObject(bucket, key);
        return stat.size;
      } catch (error: unknown) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async readHead(key, length) {
      const stream = await internal.getPartialObject(bucket, key, 0, length);
      return new Uint8Array(await collect(stream, length));
    },

    async read(key, maxBytes) {
      try {
        return await collect(await internal.getObject(bucket, key), maxBytes);
      } catch (error: unknown) {
        if (isNotFound(error)) throw new ObjectMissingError(key);
        throw error;
      }
    },

    async write(key, data, contentType) {
      await internal.putObject(bucket, key, Buffer.from(data.buffer, data.byteOffset, data.length),
        data.length, { 'Content-Type': contentType });
    },

    async remove(keys) {
      if (keys.length === 0) return;
      await internal.removeObjects(bucket, keys);
    },

    async ping() {
      await internal.bucketExists(bucket);
    },
  };
}

function createClient(endpoint: string, options: StorageOptions): Minio.Client {
  const url = new URL(endpoint);
  const useSSL = url.protocol === 'https:';
  return new Minio.Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    region: options.region,
    pathStyle: true,
    // minio splits anything over 64 MiB into a multipart upload, which the
    // embedded server does not implement: a large PNG output then failed on
    // every attempt. One PUT takes up to 5 GiB, far above any output.
    partSize: 5 * 1024 ** 3,
  });
}

/**
 * Copies the chunks into one freshly allocated ArrayBuffer. A Buffer from
 * `Buffer.concat` may sit in Node's shared pool, which cannot be transferred
 * to a worker thread and would be copied whole instead.
 */
async function collect(stream: Readable, maxBytes: number): Promise<ArrayBuffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    total += buffer.length;
    if (total > maxBytes) {
      stream.destroy();
      throw new ObjectTooLargeError(maxBytes);
    }
  }

  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes.buffer;
}

export class ObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`no object ${key}`);
    this.name = 'ObjectMissingError';
  }
}

export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the object is larger than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  return error.code === 'NotFound' || error.code === 'NoSuchKey';
}
