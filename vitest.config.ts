import { defineConfig } from 'vitest/config';

// graphql 16 ships CommonJS and ESM copies. Node (and so graphql-yoga) loads
// the CommonJS one, while Vite would pick the ESM one for our sources: two
// GraphQLError classes, and every expected error masked as internal.
export const graphqlAlias = [{ find: /^graphql$/, replacement: 'graphql/index.js' }];

/**
 * The fault suite starts replica processes, private Redis and Postgres, and
 * measures timings: it runs one file at a time, after everything else.
 */
export const faultsProject = {
  name: 'faults',
  include: ['test/faults/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 300_000,
  hookTimeout: 120_000,
  sequence: { groupOrder: 1 },
};

export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['test/faults/**', 'node_modules/**'],
          // Integration files each start replicas with their own worker pools;
          // two files at a time keep this 2-core machine responsive.
          maxWorkers: 2,
        },
      },
      // The short form of every fault scenario; `npm run test:faults` runs the full one.
      { extends: true, test: faultsProject },
    ],
  },
});
