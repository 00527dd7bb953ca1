import { GraphQLError } from 'graphql';
import { maskError } from 'graphql-yoga';

type MaskError = typeof maskError;

/** Socket-level failures: the dependency is not there at all. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);
/** Postgres shutting down, starting up, or out of connections. */
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Connection is closed|max retries/i;

/**
 * Whether an error means that Postgres, Redis or storage is unreachable right
 * now, rather than that the request or the code is wrong. Looks through the
 * wrapping that graphql-js and drizzle add.
 */
export function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 6; depth += 1) {
    if (typeof current !== 'object') return false;
    const code = 'code' in current ? String(current.code) : '';
    if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code)) return true;
    if (current instanceof Error && UNAVAILABLE_MESSAGES.test(current.message)) return true;
    current =
      ('originalError' in current && current.originalError) ||
      ('cause' in current && current.cause) ||
      null;
  }
  return false;
}

/**
 * Unexpected errors stay masked, but an outage becomes HTTP 503 with code
 * SERVICE_UNAVAILABLE, so that clients and load balancers retry rather than
 * report a bug.
 */
export const maskUnavailable: MaskError = (error, message, isDev) => {
  if (isUnavailable(error)) {
    return new GraphQLError('a service PixelFlow depends on is unavailable; retry shortly', {
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
    });
  }
  return maskError(error, message, isDev);
};
