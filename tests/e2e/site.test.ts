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

  test('the theme menu switches the page between dark and light, and the choice survives a reload', async () => {
    // The system asks for light; the reader picks each theme from Starlight's own menu.
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${base}/lessons/taking-a-trace/`);
    await page.evaluate(() => localStorage.removeItem('starlight-theme'));
    await page.reload();
    /** Relative luminance (0 black … 1 white) of a computed `rgb(…)` colour. */
    const luminance = (rgb: string): number => {
      const [r, g, b] = rgb
        .match(/\d+(\.\d+)?/g)!
        .slice(0, 3)
        .map((c) => Number(c) / 255);
      const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    const drawn = () =>
      page.evaluate(() => ({
        theme: document.documentElement.dataset.theme,
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.querySelector('main p') ?? document.body).color,
      }));
    // Starlight's theme menu, found by its accessible name as a keyboard or screen-reader user would.
    const themeMenu = () => page.getByRole('combobox', { name: 'Select theme' }).filter({ visible: true }).first();
    const menu = themeMenu();
    await menu.selectOption('dark');
    const dark = await drawn();
    expect(dark.theme).toBe('dark');
    expect(luminance(dark.background)).toBeLessThan(0.1);
    expect(luminance(dark.text)).toBeGreaterThan(0.5);
    await screenshot(page, 'lesson-dark');

    await menu.selectOption('light');
    const light = await drawn();
    expect(light.theme).toBe('light');
    expect(luminance(light.background)).toBeGreaterThan(0.8);
    expect(luminance(light.text)).toBeLessThan(0.2);
    await screenshot(page, 'lesson-light');

    // Back to dark, then a reload: the menu and the page keep the reader's choice over the system's.
    await menu.selectOption('dark');
    await page.reload();
    expect((await drawn()).background).toBe(dark.background);
    expect(await themeMenu().inputValue()).toBe('dark');
  });
});
