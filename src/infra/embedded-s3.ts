import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';

import S3rver from '@20minutes/s3rver';
import S3rverAccount from '@20minutes/s3rver/lib/models/account.js';

export interface EmbeddedS3Options {
  host: string;
  /** 0 picks a free port. */
  port: number;
  directory: string;
  bucket: string;
  /** The key pair the server accepts; nothing else signs a valid request. */
  accessKey: string;
  secretKey: string;
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

  useKeyPair(options.accessKey, options.secretKey);
  const s3 = new S3rver({
    directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [CORS_ANY_ORIGIN] }],
  });
  await s3.configureBuckets();
  // s3rver formats a coloured log line for every request even when silent;
  // that was a tenth of the replica's main-thread CPU in the benchmark.
  s3.middleware = s3.middleware.filter((middleware) => middleware.name !== 'logger');

  // The S3 server checks a signature when there is one, but serves anonymous
  // requests too; real S3 and MinIO refuse those, and so does this gate.
  const handle = s3.getMiddleware();
  const server = createHttpServer((req, res) => {
    if (req.method === 'OPTIONS' || isSigned(req)) {
      handle(req, res);
      return;
    }
    res.writeHead(403, { 'content-type': 'application/xml' }).end(ACCESS_DENIED);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new Error(`embedded storage port ${options.host}:${options.port} is in use: set ` +
            'STORAGE_EMBEDDED_PORT, or STORAGE_ENDPOINT to use an existing object store')
        : error);
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  let closed = false;

  return {
    endpoint: `http://${options.host}:${address.port}`,
    accessKey: options.accessKey,
    secretKey: options.secretKey,
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * s3rver keeps its accounts in a module-level registry with one built-in
 * key pair (S3RVER/S3RVER); the configured pair replaces it, so that the
 * public default signs nothing once an operator sets a secret.
 */
function useKeyPair(accessKey: string, secretKey: string) {
  const account = S3rverAccount.DUMMY_ACCOUNT;
  for (const existing of [...account.accessKeys.keys()]) {
    if (existing !== accessKey) account.revokeAccessKey(existing);
  }
  account.createKeyPair(accessKey, secretKey);
}

const ACCESS_DENIED = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>AccessDenied</Code><Message>Anonymous access is not allowed</Message></Error>`;

/** A SigV4 Authorization header, or the query string of a presigned URL. */
function isSigned(req: IncomingMessage): boolean {
  if (req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) return true;
  const query = new URL(req.url ?? '/', 'http://storage').searchParams;
  return query.has('X-Amz-Signature') && query.has('X-Amz-Credential');
}
