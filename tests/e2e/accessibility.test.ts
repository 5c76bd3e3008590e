// Accessibility: axe finds no violation on any page (widgets loaded and in use), and a lesson
// can be worked through with the keyboard alone.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { hydrated, launch, lessonSlugs, screenshot } from './browser.ts';
import { mkdirSync, writeFileSync } from 'node:fs';

const base = inject('baseUrl');
let browser: Browser;
let page: Page;

const PAGES = ['/', '/lab/', ...lessonSlugs().map((slug) => `/lessons/${slug}/`)];

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

/** A pcap with one Ethernet/IPv4/TCP packet carrying `payload` bytes: more rows than the bytes pane shows. */
function bigPacketCapture(payload: number): Buffer {
  const frame = Buffer.alloc(54 + payload);
  frame.writeUInt16BE(0x0800, 12);
  frame[14] = 0x45;
  frame.writeUInt16BE(40 + payload, 16);
  frame[22] = 64;
  frame[23] = 6;
  frame.writeUInt32BE(0x0a000001, 26);
  frame.writeUInt32BE(0x0a000002, 30);
  frame.writeUInt16BE(50000, 34);
  frame.writeUInt16BE(445, 36);
  frame[46] = 0x50;
  frame[47] = 0x18;
  frame.writeUInt16BE(64240, 48);
  for (let i = 54; i < frame.length; i++) frame[i] = i & 0xff;
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(262144, 16);
  header.writeUInt32LE(1, 20);
  const record = Buffer.alloc(16);
  record.writeUInt32LE(1_765_000_000, 0);
  record.writeUInt32LE(frame.length, 8);
  record.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, record, frame]);
}

describe('the packet bytes pane', () => {
  test('shows a window of rows that the keyboard scrolls, highlights a field, and axe finds nothing', async () => {
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/big-packet.pcap', bigPacketCapture(60_000));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(`${base}/lab/`);
    await hydrated(page);
    await page.getByLabel('Open capture').setInputFiles('test-output/big-packet.pcap');
    await page.getByRole('grid', { name: 'Packets' }).locator('[role=row]', { hasText: '50000' }).first().click();
    const bytes = page.getByRole('region', { name: /^Packet bytes/ });
    await bytes.locator('.row').first().waitFor();
    // 60,054 bytes are 3,754 rows; only those in view (and a few more) exist.
    expect(await bytes.locator('.row').count()).toBeLessThan(60);
    expect(await bytes.locator('.row .off').first().innerText()).toBe('0000');

    // A field picked in the tree is highlighted in the bytes: the source port, 2 bytes at offset 34.
    await page
      .locator('.details .tree')
      .getByText(/^\s*Source Port: 50000/)
      .first()
      .click();
    expect(await bytes.locator('mark').allInnerTexts()).toEqual(['c3 50', '.P']);

    // Keyboard: the pane takes focus and scrolls; new rows appear for the new place.
    await bytes.focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('PageDown');
    await expect.poll(async () => bytes.locator('.row .off').first().innerText()).not.toBe('0000');
    await page.keyboard.press('End');
    await expect.poll(async () => bytes.locator('.row .off').last().innerText()).toBe('ea90');

    const results = await new AxeBuilder({ page }).include('.details').analyze();
    expect(results.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
  });
});
