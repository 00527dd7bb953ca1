import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM copies. Node (and so graphql-yoga) loads
    // the CommonJS one, while Vite would pick the ESM one for our sources: two
    // GraphQLError classes, and every expected error masked as internal.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration files each start replicas with their own worker pools; two
    // files at a time keep this 2-core machine responsive.
    maxWorkers: 2,
  },
});
