import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // builds the operators' page when dist/ is missing or stale (tests load `/`)
    globalSetup: ['tests/helpers/build-web.ts'],
    // Each embedded database is a ~400 MB WASM Postgres; two cores here, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
