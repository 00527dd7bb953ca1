import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/config.ts';

describe('configuration', () => {
  it('runs with no environment at all, on local defaults', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/pixelflow');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.STORAGE_ENDPOINT).toBeUndefined();
  });

  it('reports every problem at once, naming the variable and the value', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        POOL_THREADS: '0',
        REDIS_URL: 'not a url',
        LEASE_MS: '2000',
        LEASE_RENEW_MS: '5000',
      });
    } catch (caught: unknown) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT');
    expect(problems).toContain('"eighty"');
    expect(problems).toContain('POOL_THREADS');
    expect(problems).toContain('REDIS_URL');
  });

  it('refuses a renewal interval that would let live leases expire', () => {
    expect(() => loadConfig({ LEASE_MS: '2000', LEASE_RENEW_MS: '5000' })).toThrow(
      /LEASE_RENEW_MS/,
    );
  });
});
