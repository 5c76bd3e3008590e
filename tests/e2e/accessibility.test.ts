// Accessibility: axe finds no violation on any page (widgets loaded and in use), and a lesson
// can be worked through with the keyboard alone.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { hydrated, launch, screenshot } from './browser.ts';

const base = inject('baseUrl');
let browser: Browser;
let page: Page;

const PAGES = [
  '/',
  '/lab/',
  '/lessons/why-a-blocked-port-hides/',
  '/lessons/taking-a-trace/',
  '/lessons/scenario-1-blocked/',
  '/lessons/scenario-2-nothing-listening/',
  '/lessons/scenario-3-success/',
  '/lessons/both-sides/',
  '/lessons/beyond-the-article/',
  '/lessons/your-own-capture/',
];

beforeAll(async () => {
  browser = await launch();
  // axe needs a page of an explicit context
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => browser?.close());

describe('axe', () => {
  for (const path of PAGES) {
    for (const theme of ['light', 'dark'] as const) {
      test(`${path} (${theme}) has no accessibility violations`, async () => {
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(`${base}${path}`);
        await hydrated(page);
        await page.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'));
        // open what is collapsed so it is checked too
        // (each button goes away when pressed, so press the first until none is left)
        const reveals = page.getByRole('button', { name: 'Show the verdict and the evidence' });
        for (let n = await reveals.count(); n > 0; n--) await reveals.first().click();
        // Starlight's search button shows its shortcut (Ctrl K) beside its name; that visible hint
        // is not part of its accessible name "Search". It is Starlight's markup, not ours.
        const results = await new AxeBuilder({ page }).exclude('button[data-open-modal]').analyze();
        const summary = results.violations.map(
          (v) =>
            `${v.id}: ${v.help} — ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(' '))
              .join(' | ')}`,
        );
        expect(summary).toEqual([]);
      });
    }
  }
});

describe('keyboard only', () => {
  test('filter, select a packet, open the evidence and solve the challenge without a mouse', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    await page
      .getByRole('grid', { name: 'Packets' })
      .first()
      .locator('[role=row]', { hasText: '3389' })
      .first()
      .waitFor();

    // Tab from the top of the page until the display filter has focus
    const focusedName = () =>
      page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return (
          el?.getAttribute('aria-label') ??
          (el?.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent?.trim() : '') ??
          ''
        );
      });
    let steps = 0;
    while ((await focusedName()) !== 'Display filter' && steps++ < 80) await page.keyboard.press('Tab');
    expect(await focusedName()).toBe('Display filter');
    await page.keyboard.type('tcp.port==57475');
    await page.keyboard.press('Enter');
    await page
      .getByText(/Displayed: 3 of/)
      .first()
      .waitFor();

    // on to the packet list; arrows move the selection
    steps = 0;
    while ((await focusedName()) !== 'Packets' && steps++ < 20) await page.keyboard.press('Tab');
    expect(await focusedName()).toBe('Packets');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const selected = page.getByRole('grid', { name: 'Packets' }).first().locator('[role=row][aria-selected=true]');
    await expect
      .poll(async () => (await selected.count()) === 1 && (await selected.innerText()).includes('Retransmission'))
      .toBe(true);
    // focus is visible
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');

    // the challenge: Tab to its filter box, type the answer
    const challengeInput = page
      .getByRole('region', { name: 'Filter challenge' })
      .getByLabel('Display filter', { exact: true });
    steps = 0;
    while (!(await challengeInput.evaluate((el) => el === document.activeElement)) && steps++ < 80)
      await page.keyboard.press('Tab');
    await page.keyboard.type('tcp.port==57475');
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: 'Filter challenge' }).getByText(/Right/).waitFor();

    // the verdict: reach the reveal button and press it
    const reveal = page.getByRole('button', { name: 'Show the verdict and the evidence' }).first();
    steps = 0;
    while (!(await reveal.evaluate((el) => el === document.activeElement)) && steps++ < 120)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page
      .getByRole('region', { name: 'Verdicts', exact: true })
      .first()
      .getByText(/No response/)
      .first()
      .waitFor();
    await screenshot(page, 'keyboard-walk');
  });
});
