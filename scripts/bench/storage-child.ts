/**
 * The object store of one benchmark replica, in a process of its own: in a
 * deployment S3 or MinIO is a separate service, so its CPU is reported as
 * storage, not as PixelFlow's. It is the same embedded S3-compatible server
 * the replica would otherwise run in-process (src/infra/embedded-s3.ts),
 * with the replica's default bucket and key pair. Prints its endpoint; exits
 * when its parent is gone or on SIGTERM.
 */
import { startEmbeddedS3 } from '../../src/infra/embedded-s3.ts';

const directory = process.argv[2];
if (!directory) throw new Error('usage: storage-child.ts <directory>');

const parent = process.ppid;
const storage = await startEmbeddedS3({
  host: '127.0.0.1',
  port: 0,
  directory,
  bucket: 'pixelflow',
  accessKey: 'S3RVER',
  secretKey: 'S3RVER',
});

const stop = () => {
  storage.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  if (process.ppid !== parent) stop();
}, 1000).unref();

process.stdout.write(`${JSON.stringify({ ready: true, url: storage.endpoint })}\n`);
