import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 60_000,
    // The default report, then why anything was skipped (tests/support/skip-reporter.ts).
    reporters: ['default', './tests/support/skip-reporter.ts'],
  },
});
