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
 * How long a page may take to hydrate and read its traces. Generous: on a two-core machine
 * shared with builds and other browsers, one Worker reading a lesson's five traces has taken
 * over 20 s; a test that waits this long has found a bug, not a slow machine.
 */
export const PAGE_READY_TIMEOUT = 90_000;

/**
 * Resolves when every island on the page has hydrated (Astro removes an island's `ssr`
 * attribute once its component is mounted and listening) and no widget is still reading its
 * trace (a widget is `aria-busy` while it reads). Interact with a page only after this.
 *
 * An island that hydrates when it comes into view (client:visible) is scrolled into view, as a
 * reader scrolling down would — again on every poll, not once: widgets above it that finish
 * reading their traces grow and push it back off the screen before its IntersectionObserver
 * has looked, and then it would wait for ever. The page goes back to the top at the end.
 */
export async function hydrated(page: Page, timeout = PAGE_READY_TIMEOUT): Promise<void> {
  await page.waitForFunction(
    () => {
      const island = document.querySelector('astro-island[ssr]');
      if (island) {
        // islands are display: contents (no box of their own): scroll to what they render
        (island.firstElementChild ?? island.parentElement)?.scrollIntoView({ block: 'center' });
        return false;
      }
      return document.querySelector('astro-island [aria-busy="true"]') === null;
    },
    null,
    { timeout, polling: 250 },
  );
  await page.evaluate(() => window.scrollTo(0, 0));
}

export const SCREENSHOTS = 'test-output/screenshots';

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
