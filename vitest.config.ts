import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // builds the operators' page when dist/ is missing or stale (tests load `/`)
    globalSetup: ['tests/helpers/build-web.ts'],
    // Each embedded database is a ~400 MB WASM Postgres; two cores here, so keep forks few.
    pool: 'forks',
    maxWorkers: 2,
    // Files share their worker's module cache: each fork re-imported the whole service per file
    // (45 s of the suite's CPU on this machine, 9 s without). Every test builds its own service,
    // database, clock and metrics, so nothing of one file's state reaches another.
    isolate: false,
    // Safety nets, not timing assertions (those run on the clock port): a child process or an
    // embedded database start takes several seconds on a busy 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // expect.poll's own default (1 s) is a timing assertion in disguise: a browser page's next
    // answer on a busy 2-core machine can take longer. Polls wait for a state, they do not time it.
    expect: { poll: { timeout: 15_000 } },
  },
});
