import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Registers toHaveHotspot / toPassVerdicts for every test file.
    setupFiles: ['harness/assert/matchers.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/kube/**'],
          // The fuzz tests run thousands of cases; a few unit files start the CLI.
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/kube/**/*.test.ts'],
          // End-to-end files run one at a time: they load a 2-core machine with real apps, profilers and
          // containers, and they check machine-wide state (podman's shared iptables chains, leftover processes)
          // that another file's run in flight would disturb.
          fileParallelism: false,
          // Real apps, profilers, containers and a cluster: minutes, not milliseconds.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
