import { defineConfig } from 'vitest/config';

// Browser tests: Playwright drives Debian's Chromium against the built site (see tests/e2e/site.ts).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    globalSetup: ['tests/e2e/global-setup.ts'],
  },
});
