import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/support/longest-first.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'emulator/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The long files first (test/support/longest-first.ts).
    sequence: { sequencer: LongestFirstSequencer },
    // Concurrent tests within a file at once (live-check's CLI processes): few, so that the other
    // worker's file (the tenancy-scale run's containers and their holds) is not starved.
    maxConcurrency: 3,
  },
});
