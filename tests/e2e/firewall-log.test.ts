// The Windows Firewall log in the lab, in Chromium: a pfirewall.log opened beside a recorded
// capture (the log written by tests/firewall/write-firewall-log.ts from tshark's reading of the
// server side of the "blocked by the server's firewall" pair) adds the DROP evidence to the
// verdict, lists its bad lines as text, goes away with its evidence, stays with the server's
// capture in the two-sided view, and leaves axe nothing to report in either theme.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { hydrated, launch, screenshot } from './browser.ts';
import { firewallLogFor, tsharkSyns } from '../firewall/write-firewall-log.ts';

const base = inject('baseUrl');
const SERVER_TRACE = 'public/traces/blocked-drop-server.pcapng';
const CLIENT_TRACE = 'public/traces/blocked-drop-client.pcapng';
const SYNS = tsharkSyns(SERVER_TRACE).length;
/** The server's log, one hour east of UTC, and a line that is HTML rather than a log line. */
const LOG = firewallLogFor(SERVER_TRACE, '10.0.1.20', 60) + '<img src=x onerror="window.pwned=1"> not a line\r\n';
const logFile = { name: 'pfirewall.log', mimeType: 'text/plain', buffer: Buffer.from(LOG) };
const DROP_STEP = "the server's Windows Firewall logged DROP for this SYN at";

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
});
afterAll(async () => browser?.close());

async function openLab() {
  await page.goto(`${base}/lab/`);
  await hydrated(page);
}

const verdicts = () => page.getByRole('region', { name: 'Verdicts' }).first();
const dropSteps = () => verdicts().locator('.evidence li', { hasText: DROP_STEP });

async function openServerCapture() {
  await page.getByLabel('Open capture').setInputFiles(SERVER_TRACE);
  await verdicts()
    .getByText(/No response — blocked/)
    .first()
    .waitFor({ timeout: 30_000 });
}

async function axeClean(name: string) {
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    const results = await new AxeBuilder({ page }).exclude('button[data-open-modal]').analyze();
    expect(
      results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
      `${name} (${theme})`,
    ).toEqual([]);
    await screenshot(page, `${name}-${theme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

describe('a firewall log beside one capture', () => {
  test('adds a DROP step to each SYN it logged, and lists its bad lines as text', async () => {
    await openLab();
    await openServerCapture();
    expect(await dropSteps().count()).toBe(0);
    await page.getByLabel('Windows Firewall log (pfirewall.log)').setInputFiles(logFile);
    await expect.poll(() => dropSteps().count(), { timeout: 30_000 }).toBe(SYNS);
    expect(await dropSteps().first().innerText()).toMatch(
      /^Frame 1: the server's Windows Firewall logged DROP for this SYN at \d\d:\d\d:\d\d on \d{4}-\d\d-\d\d \(pfirewall\.log line 6, RECEIVE\)/,
    );
    const block = page.locator('.firewall-log');
    expect(await block.innerText()).toContain(
      `pfirewall.log read beside this capture: ${SYNS} lines. Windows Firewall log: ${SYNS} TCP DROP lines, ${SYNS} matched to a packet of this capture (its clock read as UTC+01:00)`,
    );
    await block.getByText('1 line of pfirewall.log could not be read').click();
    const warning = block.getByRole('listitem');
    expect(await warning.innerText()).toBe(`Line ${6 + SYNS}: has 6 fields; the #Fields line names 18`);
    // the warning is about a line the user gave: shown as text, never as markup
    const html = LOG.split('\r\n').find((l) => l.startsWith('<img'))!;
    expect(html).toContain('<img');
    expect(await page.locator('.firewall-log img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // the finding is in the verdicts too, and the chooser names the log
    expect(await verdicts().innerText()).toContain(`pfirewall.log line ${6 + SYNS}: has 6 fields`);
    expect(await page.locator('.log-chooser').first().innerText()).toContain('pfirewall.log');
    await axeClean('lab-firewall-log');
  });

  test('Remove log takes its evidence away', async () => {
    await page.getByRole('button', { name: 'Remove log pfirewall.log (this capture)' }).click();
    await expect.poll(() => dropSteps().count(), { timeout: 30_000 }).toBe(0);
    expect(await page.locator('.firewall-log').count()).toBe(0);
    expect(await verdicts().innerText()).not.toContain('Windows Firewall log:');
    await verdicts()
      .getByText(/No response — blocked/)
      .first()
      .waitFor();
  });

  test('a log chosen before its capture is read with it; dropped with a capture, it goes with that capture', async () => {
    await openLab();
    await page.getByLabel('Windows Firewall log (pfirewall.log)').setInputFiles(logFile);
    await openServerCapture();
    await expect.poll(() => dropSteps().count(), { timeout: 30_000 }).toBe(SYNS);

    await openLab();
    const capture = readFileSync(SERVER_TRACE).toString('base64');
    const transfer = await page.evaluateHandle(
      ({ capture, log }) => {
        const bytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes(capture)], 'server.pcapng'));
        dt.items.add(new File([log], 'pfirewall.log', { type: 'text/plain' }));
        return dt;
      },
      { capture, log: LOG },
    );
    await page.dispatchEvent('[aria-label="Open a capture"]', 'drop', { dataTransfer: transfer });
    await expect.poll(() => dropSteps().count(), { timeout: 30_000 }).toBe(SYNS);
    expect(await page.getByRole('heading', { name: /server\.pcapng/ }).count()).toBe(1);
  });
});

describe("the server's firewall log in the two-sided view", () => {
  test('its lines join the server side and place the attempt at the server; removing it takes them away', async () => {
    await openLab();
    await page.getByLabel('Open capture').setInputFiles(CLIENT_TRACE);
    await page.getByLabel('Open the other side (optional)').setInputFiles(SERVER_TRACE);
    const both = page.getByRole('region', { name: 'Both sides' });
    await both.locator('.headline').first().waitFor({ timeout: 30_000 });
    expect(await both.innerText()).not.toContain(DROP_STEP);
    await page.getByLabel("The other side's Windows Firewall log").setInputFiles(logFile);
    await expect
      .poll(async () => (await both.innerText()).split(`Server frame 1: ${DROP_STEP}`).length - 1, { timeout: 30_000 })
      .toBeGreaterThan(0);
    const text = await both.innerText();
    // the server's own record settles what silence left open: a drop, not a missing listener
    expect(text).toContain(
      "Reached the server, which dropped it: the server's own records (pktmon, its firewall log) say so.",
    );
    expect(text).toContain('blocked-drop-server.pcapng: Windows Firewall log: ');
    // the server capture's own panel has the steps too; the client's does not
    const serverPanel = page.getByRole('region', { name: /Server side/ });
    await expect
      .poll(() => serverPanel.locator('.evidence li', { hasText: DROP_STEP }).count(), { timeout: 30_000 })
      .toBe(SYNS);
    const clientPanel = page.getByRole('region', { name: /Client side/ });
    expect(await clientPanel.locator('.evidence li', { hasText: DROP_STEP }).count()).toBe(0);
    await axeClean('lab-firewall-log-both-sides');

    await page.getByRole('button', { name: 'Remove log pfirewall.log (the other side)' }).click();
    await expect.poll(() => serverPanel.locator('.evidence li', { hasText: DROP_STEP }).count()).toBe(0);
    await both.locator('.headline').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => both.innerText(), { timeout: 30_000 }).not.toContain(DROP_STEP);
    expect(await both.innerText()).toMatch(/Reached the server, which never answered/);
  });
});
