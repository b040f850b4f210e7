import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import the packages by name; the aliases point them at the TypeScript sources so that a
// test run needs no build. `test/packages.test.ts` checks the built packages separately.
const entry = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

/** Test files that start a Jupyter kernel (or a Jupyter server). */
const KERNEL_TESTS = [
  'test/notebooks/notebooks.test.ts',
  'test/notebooks/html-export.test.ts',
  'test/notebooks/runner.test.ts',
  'test/notebooks/docs.test.ts',
  'test/notebooks/jupyter-server.test.ts',
];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@encdec\/core$/, replacement: entry('core/src/index.ts') },
      { find: /^@encdec\/core\/internal$/, replacement: entry('core/src/internal.ts') },
      { find: /^@encdec\/viz$/, replacement: entry('viz/src/index.ts') },
    ],
  },
  test: {
    // Fails fast, with one message, when a prerequisite of the suite is missing (README).
    globalSetup: ['test/setup/prerequisites.ts'],
    // Each test file gets its own temporary directory and fails if it leaves anything there.
    setupFiles: ['test/setup/temp-dir.ts'],
    // TF.js work is CPU-bound and the machine has 2 cores: one worker per core.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'library',
          include: ['test/**/*.test.ts'],
          exclude: [...KERNEL_TESTS, 'node_modules/**'],
        },
      },
      {
        // The files that start Jupyter kernels run one at a time: two kernels starting at once
        // can be handed the same free ports, and one kernel then reads the other's messages.
        extends: true,
        test: { name: 'jupyter', include: KERNEL_TESTS, fileParallelism: false },
      },
    ],
  },
});
