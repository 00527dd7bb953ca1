import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration files each start replicas with their own worker pools; two
    // files at a time keep this 2-core machine responsive.
    maxWorkers: 2,
  },
});
