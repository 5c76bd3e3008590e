// Debian's Chromium driven by Playwright: no browser download, the flags this machine needs
// (no sandbox as root, no background connections to the outside).
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Every lesson's slug, read from src/content/docs/lessons (one .md/.mdx file each, Starlight's
 * slug is the file name), so a new lesson is walked by the tests without editing them.
 */
export function lessonSlugs(): string[] {
  return readdirSync('src/content/docs/lessons')
    .filter((name) => /\.mdx?$/.test(name))
    .map((name) => name.replace(/\.mdx?$/, ''))
    .sort();
}

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Resolves when every island on the page has hydrated (Astro removes `ssr` once it has).
 * An island that hydrates when it comes into view (client:visible) is
 * scrolled into view first, as a reader scrolling down would; then the page goes back to the top.
 */
export async function hydrated(page: Page): Promise<void> {
  for (let left = await page.locator('astro-island[ssr]').count(); left > 0;) {
    // islands are display: contents (no box of their own): scroll to what they render
    await page.evaluate(() => {
      const island = document.querySelector('astro-island[ssr]');
      (island?.firstElementChild ?? island?.parentElement)?.scrollIntoView({ block: 'center' });
    });
    await page.waitForFunction((n) => document.querySelectorAll('astro-island[ssr]').length < n, left, {
      timeout: 45_000,
    });
    left = await page.locator('astro-island[ssr]').count();
  }
  await page.evaluate(() => window.scrollTo(0, 0));
}

export const SCREENSHOTS = 'test-output/screenshots';

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
