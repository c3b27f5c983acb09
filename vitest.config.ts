import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Registers toHaveHotspot / toPassVerdicts for every test file.
    setupFiles: ['harness/assert/matchers.ts'],
    // End-to-end tests start real apps, profilers and load: minutes, not milliseconds.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // 2 cores: more workers only make the load tests fight each other.
    maxWorkers: 2,
  },
});
