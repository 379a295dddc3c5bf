import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'emulator/test/**/*.test.ts'],
    // Hang guards, not expectations: a test that passes takes far less. Many do real work (a sweep of
    // 10,000 objects, hundreds of in-process invocations, a million seeded objects) that took 15-20 s
    // with this machine's 2 cores oversubscribed ten times; 60 s left too little between that and a failure.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The long files first (test/support/longest-first.ts).
    sequence: { sequencer: LongestFirstSequencer },
    // Concurrent tests within a file at once (live-check's CLI processes): few, so that the other
    // worker's file (the tenancy-scale run's containers and their holds) is not starved.
    maxConcurrency: 3,
  },
});
