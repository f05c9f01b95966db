import { defineConfig } from 'vitest/config';

// chDB segfaults at exit under worker threads, so every test file runs in
// its own forked process (which also gives each file its own data dir lock).
export default defineConfig({
  test: {
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    include: ['lib/**/*.test.ts', 'server/**/*.test.ts', 'collectors/**/*.test.ts', 'grafana/**/*.test.ts', 'loadtests/**/*.test.ts', 'dashboard/src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
