import { defineConfig } from 'vitest/config';

import { faultsProject, graphqlAlias } from './vitest.config.ts';

/** `npm run test:faults`: the full form of the fault suite (FAULTS=full), alone. */
export default defineConfig({
  resolve: { alias: graphqlAlias },
  test: {
    ...faultsProject,
    testTimeout: 1_800_000,
    env: { FAULTS: 'full' },
  },
});
