// Hostile content: a capture is untrusted input. Markup and script in its comments, interface
// names or payload are shown as text and never run; every page carries a strict CSP.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import { hydrated, launch, screenshot } from './browser.ts';

const base = inject('baseUrl');
let browser: Browser;
let page: Page;
const violations: string[] = [];

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  '"><svg onload=window.__pwned=3>',
  '<a href="javascript:window.__pwned=4">click</a>',
  '\u202eevil\u202c ' + 'A'.repeat(5000),
];

/** A SYN whose payload is markup too, and every text field of the file filled with payloads. */
function hostileCapture(): Uint8Array {
  const writer = new PcapngWriter({ comments: PAYLOADS, userApplication: PAYLOADS[0] });
  const iface = writer.addInterface({ linkType: 1, name: PAYLOADS[1], description: PAYLOADS[2] });
  const markup = new TextEncoder().encode(PAYLOADS[0]);
  const frame = new Uint8Array(14 + 20 + 20 + markup.length);
  const v = new DataView(frame.buffer);
  frame.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0);
  v.setUint16(12, 0x0800);
  frame[14] = 0x45;
  v.setUint16(16, 20 + 20 + markup.length);
  frame[22] = 64;
  frame[23] = 6;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  v.setUint16(34, 50000);
  v.setUint16(36, 3389);
  v.setUint32(38, 1912198306);
  frame[46] = 0x50;
  frame[47] = 0x02;
  v.setUint16(48, 64240);
  frame.set(markup, 54);
  writer.addPacket({ interfaceId: iface, seconds: 1_700_000_000, nanoseconds: 0, data: frame, comments: PAYLOADS });
  return writer.toBytes();
}

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __violations: string[] }).__violations ??= [];
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('dialog', (d) => {
    violations.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
});
afterAll(async () => browser?.close());

describe('hostile captures', () => {
  test('markup in comments, interface names and payload is shown as text and nothing runs', async () => {
    await page.goto(`${base}/lab/`);
    await hydrated(page);
    await page.getByLabel('Open capture').setInputFiles({
      name: '<b>bold</b>.pcapng',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(hostileCapture()),
    });
    await page
      .getByText(/connection attempt/)
      .first()
      .waitFor();
    await page.getByText('What the file says about itself').click();
    // the packet, with its comments, in the details pane
    await page.getByRole('grid', { name: 'Packets' }).locator('[role=row]', { hasText: '3389' }).first().click();
    await page.getByText('Frame 1:').first().click();
    const text = await page.locator('main').innerText();
    for (const p of PAYLOADS.slice(0, 4)) expect(text).toContain(p);
    expect(text).toContain('<b>bold</b>.pcapng');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    // no element was created from the payloads
    expect(await page.locator('main img[src="x"], main svg[onload], main a[href^="javascript:"], main b').count()).toBe(
      0,
    );
    expect(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])).toEqual(
      [],
    );
    expect(violations).toEqual([]);
    await screenshot(page, 'hostile-capture');
  });
});

describe('Content-Security-Policy', () => {
  function builtPages(dir = 'dist'): string[] {
    return readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return builtPages(path);
      return name.endsWith('.html') ? [path] : [];
    });
  }

  test('every built page allows scripts only from the site or by hash, never inline handlers or eval', () => {
    const pages = builtPages();
    expect(pages.length).toBeGreaterThan(5);
    for (const file of pages) {
      const html = readFileSync(file, 'utf8');
      const policy = html.match(/<meta http-equiv="content-security-policy" content="([^"]+)">/)?.[1];
      expect(policy, file).toBeDefined();
      const scriptSrc = policy!
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith('script-src'))!;
      expect(scriptSrc, file).toMatch(/^script-src 'self'/);
      expect(scriptSrc, file).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|https?:/);
      expect(policy, file).toContain("object-src 'none'");
      expect(html, file).not.toMatch(/\son[a-z]+="/); // no inline event handler attributes
    }
  });

  test('the pages work under the policy: no violation while a lesson runs and the site search answers', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    const filter = page.getByLabel('Display filter', { exact: true }).first();
    await filter.fill('tcp.port==57475');
    await filter.press('Enter');
    await page
      .getByText(/Displayed: 3 of/)
      .first()
      .waitFor();
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('dialog').getByRole('textbox', { name: 'Search' }).fill('retransmission');
    await page
      .getByRole('dialog')
      .getByRole('link', { name: /Scenario 1/ })
      .first()
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])).toEqual(
      [],
    );
  });
});
