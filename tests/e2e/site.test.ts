import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launch, screenshot } from './browser.ts';

let browser: Browser;
let page: Page;
const base = inject('baseUrl');

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => browser?.close());

describe('site shell', () => {
  test('the home page says what porttrace teaches and lists the lessons', async () => {
    await page.goto(`${base}/`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toMatch(/blocked, closed or open/i);
    const lessonLinks = page.getByRole('main').getByRole('link', { name: 'Taking a trace' });
    expect(await lessonLinks.count()).toBe(1);
    await screenshot(page, 'home');
  });

  test('"Start with lesson 1" opens lesson 1, and the home page links the lab', async () => {
    await page.goto(`${base}/`);
    const lab = page.getByRole('main').getByRole('link', { name: /lab/i });
    expect(await lab.first().getAttribute('href')).toMatch(/\/lab\/$/);
    await page.getByRole('link', { name: 'Start with lesson 1' }).click();
    await page.waitForURL(/\/lessons\/why-a-blocked-port-hides\/$/);
    // it is the first lesson of the sidebar
    const first = page.locator('nav[aria-label="Main"] a[href*="/lessons/"]').first();
    expect(await first.getAttribute('aria-current')).toBe('page');
  });

  test('a learner reaches the lesson from the home page and sees its goals and commands', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('main').getByRole('link', { name: 'Taking a trace' }).click();
    await page.waitForURL(/\/lessons\/taking-a-trace\/$/);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Taking a trace');
    expect(await page.getByRole('heading', { name: 'You will be able to' }).count()).toBe(1);
    // the sidebar marks the current lesson
    const current = page.locator('nav[aria-label="Main"] a[aria-current="page"]');
    expect(await current.innerText()).toContain('Taking a trace');
    // the netsh command is highlighted code with a copy button
    const code = page.locator('pre', { hasText: 'netsh trace start capture=yes tracefile=' }).first();
    expect(await code.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: /copy/i }).count()).toBeGreaterThan(0);
    await screenshot(page, 'lesson-taking-a-trace');
  });

  test('the OS tabs switch between Windows, Linux and macOS commands', async () => {
    await page.goto(`${base}/lessons/taking-a-trace/`);
    await page.getByRole('tab', { name: 'Linux' }).click();
    const panel = page.getByRole('tabpanel').filter({ hasText: 'tcpdump -i any' });
    expect(await panel.isVisible()).toBe(true);
    expect(await page.getByRole('tabpanel').filter({ hasText: 'netsh trace start' }).isVisible()).toBe(false);
  });

  test('dark and light themes both render', async () => {
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(`${base}/lessons/taking-a-trace/`);
      await page.evaluate((t) => {
        localStorage.setItem('starlight-theme', t);
        document.documentElement.dataset.theme = t;
      }, theme);
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await screenshot(page, `lesson-${theme}`);
    }
  });
});
