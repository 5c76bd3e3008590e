// The lab with a capture of many attempts: a port scan of 20,000 ports written by the project's
// own writers. The verdict panel shows the count of each verdict first; a verdict opened shows
// the first page of its attempts, and the reader pages on. Each page's rows are the engine's
// verdicts for those attempts (the same session, run here in Node on the same bytes).
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Verdict } from '../../src/lib/analysis/vocabulary.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { hydrated, launch, screenshot } from './browser.ts';
import { scanCapture } from '../support/scan-capture.ts';
import { styleOf } from '../../src/components/verdict-style.ts';

const base = inject('baseUrl');
const ATTEMPTS = 20_000;
const PATH = 'test-output/scan-20k.pcapng';
let browser: Browser;
let page: Page;
let engine: TraceSession;

beforeAll(async () => {
  const bytes = scanCapture(ATTEMPTS);
  mkdirSync('test-output', { recursive: true });
  writeFileSync(PATH, bytes);
  engine = new TraceSession(PATH, bytes.length, loadCaptureBytes(bytes));
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => browser?.close());

/** What a row of the panel says: its verdict, its 4-tuple and its headline. */
async function rowsOf(panel: Locator): Promise<string[]> {
  return panel
    .locator('ol.attempts > li')
    .evaluateAll((items) =>
      items.map((li) =>
        [
          li.querySelector('.vocab dd')?.textContent?.trim(),
          li.querySelector('.tuple')?.textContent?.replace(/\s+/g, ' ').trim(),
          li.querySelector('.headline')?.textContent?.trim(),
        ].join(' | '),
      ),
    );
}

/** The same rows, from the engine: attempts [from, from + 10) of `verdict` (or of all). */
function expected(from: number, verdict?: Verdict): string[] {
  return engine
    .attempts(from, 10, verdict)
    .map((a) => `${a.verdict} | ${a.client}:${a.clientPort} → ${a.server}:${a.serverPort} | ${a.headline}`);
}

describe('a capture of 20,000 attempts in the lab', () => {
  test('counts first, then a verdict opened a page at a time, each row the engine’s verdict for that attempt', async () => {
    const { verdictCounts } = engine.summary;
    // the scan has four verdicts, so paging within one is paging through a part of the attempts
    expect(Object.keys(verdictCounts).sort()).toEqual(['half-open', 'inconclusive', 'no-response', 'refused']);
    await page.goto(`${base}/lab/`);
    await hydrated(page);
    await page.getByLabel('Open capture').setInputFiles(PATH);
    const panel = page.getByRole('region', { name: 'Verdicts' });
    const counts = panel.locator('.counts');
    await counts.waitFor({ timeout: 60_000 });
    expect(await counts.innerText()).toMatch(/^20,000 attempts:/);
    for (const [verdict, n] of Object.entries(verdictCounts))
      await expect
        .poll(() => panel.getByRole('button', { name: `${n.toLocaleString('en')} ${verdict}` }).count())
        .toBe(1);

    // before any verdict is opened: the first page of all attempts
    const range = panel.locator('.range');
    expect(await range.innerText()).toBe('Attempts 1–10 of 20,000');
    expect(await rowsOf(panel)).toEqual(expected(0));

    const verdict: Verdict = 'no-response';
    const n = verdictCounts[verdict]!;
    const opener = panel.getByRole('button', { name: `${n.toLocaleString('en')} ${verdict}` });
    await opener.click();
    await expect
      .poll(() => range.innerText())
      .toBe(`${styleOf('no-response').word}: 1–10 of ${n.toLocaleString('en')}`);
    expect(await opener.getAttribute('aria-pressed')).toBe('true');
    expect(await rowsOf(panel)).toEqual(expected(0, verdict));
    await screenshot(page, 'lab-scale-verdict-page');

    const pager = panel.getByRole('group', { name: 'Pages of attempts' });
    await pager.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => range.innerText())
      .toBe(`${styleOf('no-response').word}: 11–20 of ${n.toLocaleString('en')}`);
    expect(await rowsOf(panel)).toEqual(expected(10, verdict));

    // the last page, then back one
    const last = Math.floor((n - 1) / 10) * 10;
    await pager.getByRole('button', { name: 'Last' }).click();
    await expect
      .poll(() => range.innerText())
      .toBe(
        `${styleOf('no-response').word}: ${(last + 1).toLocaleString('en')}–${n.toLocaleString('en')} of ${n.toLocaleString('en')}`,
      );
    expect(await rowsOf(panel)).toEqual(expected(last, verdict));
    expect(await pager.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(async () => (await rowsOf(panel))[0]).toBe(expected(last - 10, verdict)[0]);
    expect(await rowsOf(panel)).toEqual(expected(last - 10, verdict));

    // another verdict starts at its own first page; pressing it again goes back to all attempts
    const refused = panel.getByRole('button', { name: `${verdictCounts.refused!.toLocaleString('en')} refused` });
    await refused.click();
    await expect
      .poll(() => range.innerText())
      .toBe(`${styleOf('refused').word}: 1–10 of ${verdictCounts.refused!.toLocaleString('en')}`);
    expect(await rowsOf(panel)).toEqual(expected(0, 'refused'));
    await refused.click();
    await expect.poll(() => range.innerText()).toBe('Attempts 1–10 of 20,000');
    expect(await rowsOf(panel)).toEqual(expected(0));
  });

  test('the analyzer (a row per conversation: 20,000 here) is asked for nothing until it is opened', async () => {
    const conversations = page.getByRole('region', { name: 'TCP conversations' });
    const toggle = page.getByText('Conversations, streams, graphs and expert summary');
    await toggle.waitFor();
    expect(await page.locator('details.analyzer-toggle').evaluate((d) => d.children.length)).toBe(1);
    expect(await conversations.count()).toBe(0);
    await toggle.click();
    await conversations.waitFor({ timeout: 60_000 });
    await toggle.click();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`the paged verdict panel (${theme}) has no accessibility violations`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      const panel = page.getByRole('region', { name: 'Verdicts' });
      // a verdict opened, on its second page: pressed buttons and both kinds of pager button
      await panel.getByRole('button', { name: /half-open$/ }).click();
      await panel.getByRole('group', { name: 'Pages of attempts' }).getByRole('button', { name: 'Next' }).click();
      await expect
        .poll(() => panel.locator('.range').innerText())
        .toMatch(/^Half-open — port open, handshake not completed: 11–20 of/);
      await screenshot(page, `lab-scale-panel-${theme}`);
      const results = await new AxeBuilder({ page }).include('section.verdicts').analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes[0]?.target.join(' ')}`)).toEqual([]);
      await panel.getByRole('button', { name: /half-open$/ }).click();
    });
  }
});
