import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';

import { isUnavailable, maskUnavailable } from '../../src/http/unavailable-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('outage errors', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['Postgres shutting down', withCode('terminating connection', '57P01')],
    ['a dropped Postgres connection', new Error('Connection terminated unexpectedly')],
    ['a Redis that stopped answering', new Error('Reached the max retries per request limit')],
  ])('recognise %s, however deeply wrapped', (_name, cause) => {
    const wrapped = new GraphQLError('failed', {
      originalError: new Error('Failed query: select 1', { cause }),
    });
    expect(isUnavailable(wrapped)).toBe(true);
    expect(maskUnavailable(wrapped, 'Unexpected error.')).toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
    });
  });

  it('leave a bug masked as an internal error', () => {
    const bug = new GraphQLError('failed', { originalError: new TypeError('x is undefined') });
    expect(isUnavailable(bug)).toBe(false);
    expect(maskUnavailable(bug, 'Unexpected error.').message).toBe('Unexpected error.');
  });
});
