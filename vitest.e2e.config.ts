import { defineConfig } from 'vitest/config';

// Browser tests: Playwright drives Debian's Chromium against the built site (see tests/e2e/site.ts).
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // No retries: a browser test that fails has found a bug or a race, and says so the first
    // time. Pages are waited for by what they say (tests/e2e/browser.ts `hydrated`: islands
    // mounted, widgets no longer aria-busy), never by a fixed delay.
    // expect.poll's default (1 s) is too short for an answer that comes from the engine Worker
    // on a loaded two-core machine (a frame selected, a filter graded on hidden variants).
    expect: { poll: { timeout: 30_000 } },
    globalSetup: ['tests/e2e/global-setup.ts'],
  },
});
