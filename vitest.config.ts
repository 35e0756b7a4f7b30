import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests share one Docker engine and one lab image cache: keep files sequential
    // so that two lab bring-ups never compete for the same 2 cores.
    fileParallelism: false,
    reporters: ['default'],
  },
});
