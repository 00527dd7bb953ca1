// @20minutes/s3rver ships no type declarations; this covers the part PixelFlow calls.
declare module '@20minutes/s3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory: string;
    silent?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    /** Creates the buckets named in `configureBuckets`; `run()` does it too. */
    configureBuckets(): Promise<void>;
    /** Koa's middleware stack, in order. */
    middleware: ((...args: unknown[]) => unknown)[];
    /** The request listener, for serving from a server of one's own. */
    getMiddleware(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}

declare module '@20minutes/s3rver/lib/models/account.js' {
  interface Account {
    accessKeys: Map<string, string>;
    createKeyPair(accessKey: string, secretKey: string): void;
    revokeAccessKey(accessKey: string): void;
  }

  const AWSAccount: { DUMMY_ACCOUNT: Account };
  export default AWSAccount;
}
