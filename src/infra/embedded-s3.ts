import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

import S3rver from '@20minutes/s3rver';

export interface EmbeddedS3Options {
  host: string;
  /** 0 picks a free port. */
  port: number;
  directory: string;
  bucket: string;
}

export interface EmbeddedS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  close(): Promise<void>;
}

/** Browsers upload straight to storage, so the bucket must answer CORS preflights. */
const CORS_ANY_ORIGIN = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3600</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * An S3-compatible server inside the process, for running PixelFlow with no
 * object store installed. It checks SigV4 signatures and URL expiry, but it is
 * a development convenience: production points STORAGE_ENDPOINT at real storage.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  const directory = resolve(options.directory);
  await mkdir(directory, { recursive: true });
  await assertPortFree(options.host, options.port);

  const server = new S3rver({
    address: options.host,
    port: options.port,
    directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [CORS_ANY_ORIGIN] }],
  });
  const address = await server.run();
  let closed = false;

  return {
    endpoint: `http://${options.host}:${address.port}`,
    // The only credentials the embedded server accepts.
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
    },
  };
}

/**
 * s3rver reports a taken port as an unhandled 'error' event, which would kill
 * the process; checking first turns it into an error the caller can report.
 */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE';
      reject(taken
        ? new Error(`embedded storage port ${host}:${port} is in use: set STORAGE_EMBEDDED_PORT, ` +
            'or STORAGE_ENDPOINT to use an existing object store')
        : error);
    });
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
