// The instructor's lab in Chromium: open captures through the file input and by drag and drop,
// prove nothing leaves the browser, keep them in the library across reloads, export them.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { corpusPath, netmonCopy, ORACLES } from '../support/corpus.ts';
import { hydrated, launch, screenshot } from './browser.ts';

const base = inject('baseUrl');
/** A SYN answered by RST/ACK (nothing listening), and two open connections (88, then 3389): recorded traces. */
const REFUSED = 'public/traces/closed-rst-client.pcapng';
const HANDSHAKES = 'public/traces/open-client.pcapng';

/**
 * Zeek's test trace of 100 LDAP connections, rewritten as pcapng by editcap (pcapng sections can
 * be repeated into a big file; pcap cannot): the capture with the most attempts in the corpus.
 */
function manyAttempts(): string {
  mkdirSync('test-output', { recursive: true });
  const out = 'test-output/ldap-100-connections.pcapng';
  execFileSync(ORACLES.editcap, ['-F', 'pcapng', corpusPath('zeek/Traces/ldap/ldap-max-recursion.pcap'), out]);
  return out;
}
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
});
afterAll(async () => browser?.close());

async function openLab() {
  await page.goto(`${base}/lab/`);
  await hydrated(page);
}

async function openThroughInput(path: string) {
  await page.getByLabel('Open capture').setInputFiles(path);
  await page
    .getByText(/connection attempts?/)
    .first()
    .waitFor({ timeout: 30_000 });
}

describe('opening a capture', () => {
  test('a corpus pcapng opened with the file input shows its packets and verdicts, and nothing is sent anywhere', async () => {
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await openLab();
    const before = requests.length;
    await openThroughInput(REFUSED);
    const grid = page.getByRole('grid', { name: 'Packets' });
    await grid.locator('[role=row]', { hasText: 'RST' }).first().waitFor();
    await page
      .getByRole('region', { name: 'Verdicts' })
      .getByText(/Refused/)
      .first()
      .waitFor();
    await page.getByLabel('Display filter', { exact: true }).fill('tcp.flags.reset==1');
    await page.getByLabel('Display filter', { exact: true }).press('Enter');
    await page.getByText(/Displayed: \d+ of/).waitFor();
    await screenshot(page, 'lab-opened');
    const during = requests.slice(before);
    const capture = readFileSync(REFUSED);
    const probe = capture
      .subarray(capture.length - 64)
      .toString('base64')
      .slice(0, 24);
    for (const r of during) {
      expect(
        new URL(r.url()).origin === base || r.url().startsWith('blob:') || r.url().startsWith('data:'),
        r.url(),
      ).toBe(true);
      expect(r.method(), r.url()).toBe('GET');
      expect(r.postDataBuffer(), r.url()).toBeNull();
      expect(r.url()).not.toContain(probe);
    }
  });

  test('a Network Monitor .cap and a classic pcap open by drag and drop', async () => {
    await openLab();
    for (const [path, name] of [
      [netmonCopy(HANDSHAKES, 'netmon2'), 'open-client.netmon2.cap'],
      [corpusPath('tcpdump/tests/ssh.pcap'), 'ssh.pcap'],
    ]) {
      const bytes = readFileSync(path).toString('base64');
      const transfer = await page.evaluateHandle(
        ({ bytes, name }) => {
          const data = Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([data], name));
          return dt;
        },
        { bytes, name },
      );
      await page.dispatchEvent('[aria-label="Open a capture"]', 'drop', { dataTransfer: transfer });
      await page.getByRole('heading', { name: new RegExp(name.replace('.', '\\.')) }).waitFor();
      await page
        .getByText(/packets ·/)
        .first()
        .waitFor();
    }
  });

  test('a file that is not a capture gets a clear message, and the page keeps working', async () => {
    await openLab();
    await page.getByLabel('Open capture').setInputFiles({
      name: 'notes.zip',
      mimeType: 'application/zip',
      buffer: Buffer.from('PK\x03\x04 not really a zip, and not a capture'),
    });
    const alert = page.getByRole('alert').filter({ hasText: 'notes.zip' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/not a capture file.*zip/i);
    await openThroughInput(HANDSHAKES);
  });
});

describe('the library', () => {
  test('captures are kept across a reload, can be renamed and deleted', async () => {
    await openLab();
    await openThroughInput(manyAttempts());
    // the attempt summary is written to the library once the verdicts are in
    await page
      .getByRole('region', { name: 'Your captures in this browser' })
      .getByRole('row')
      .filter({ hasText: 'ldap-100-connections.pcapng' })
      .getByText(/100 connected/)
      .waitFor();
    await page.reload();
    await hydrated(page);
    const library = page.getByRole('region', { name: 'Your captures in this browser' });
    await library.getByRole('cell', { name: 'ldap-100-connections.pcapng', exact: true }).first().waitFor();
    const row = library.getByRole('row').filter({ hasText: 'ldap-100-connections.pcapng' });
    expect(await row.count(), await library.innerText()).toBe(1);
    expect(await row.innerText()).toMatch(/\d+ (refused|connected|no response)/);
    await row.getByRole('button', { name: /Rename/ }).click();
    await library.getByLabel('New name').fill('nmap scan of the lab');
    await library.getByRole('button', { name: 'Save' }).click();
    await library.getByRole('cell', { name: 'nmap scan of the lab', exact: true }).waitFor();
    await library
      .getByRole('row', { name: /nmap scan of the lab/ })
      .getByRole('button', { name: /Delete/ })
      .click();
    await expect.poll(() => library.getByRole('cell', { name: 'nmap scan of the lab', exact: true }).count()).toBe(0);
  });
});

describe('reopening and paging', () => {
  test('a capture kept in the library opens again from it after a reload', async () => {
    await openLab();
    await openThroughInput(REFUSED);
    const library = page.getByRole('region', { name: 'Your captures in this browser' });
    const row = library.getByRole('row').filter({ hasText: 'closed-rst-client.pcapng' }).first();
    await row.getByText(/refused/).waitFor();
    await page.reload();
    await hydrated(page);
    await row.getByRole('button', { name: /Open/ }).click();
    await page.getByRole('heading', { name: /closed-rst-client\.pcapng/ }).waitFor();
    await page
      .getByRole('region', { name: 'Verdicts' })
      .getByText(/Refused/)
      .first()
      .waitFor();
    await page.getByRole('grid', { name: 'Packets' }).locator('[role=row]', { hasText: 'RST' }).first().waitFor();
  });

  test('the summary brings the first page of verdicts; the next pages come when asked for', async () => {
    await openLab();
    await openThroughInput(manyAttempts());
    const verdicts = page.getByRole('region', { name: 'Verdicts' });
    const attempts = verdicts.locator('ol.attempts > li');
    await attempts.first().waitFor();
    expect(await attempts.count()).toBe(10);
    await verdicts.getByRole('button', { name: /Show 50 more of the \d+ remaining attempts/ }).click();
    await expect.poll(() => attempts.count()).toBe(60);
    // the attempts fetched later are distinct from the first page's
    const tuples = await verdicts.locator('ol.attempts > li .tuple').allInnerTexts();
    expect(new Set(tuples).size).toBe(60);
  });
});

describe('export', () => {
  test('the shown packets export as a pcapng that tshark reads frame for frame', async () => {
    await openLab();
    await openThroughInput(HANDSHAKES);
    const filter = page.getByLabel('Display filter', { exact: true });
    await filter.fill('tcp.flags.syn==1 && tcp.port==88');
    await filter.press('Enter');
    await page.getByText(/Displayed: 2 of/).waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export shown packets (pcapng)' }).click(),
    ]);
    mkdirSync('test-output', { recursive: true });
    const out = 'test-output/lab-export.pcapng';
    await download.saveAs(out);
    const ours = execFileSync(
      'tshark',
      ['-r', out, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.flags', '-e', 'tcp.seq_raw'],
      { encoding: 'utf8' },
    );
    const theirs = execFileSync(
      'tshark',
      [
        '-r',
        HANDSHAKES,
        '-Y',
        'tcp.flags.syn==1 && tcp.port==88',
        '-T',
        'fields',
        '-e',
        'frame.time_epoch',
        '-e',
        'tcp.flags',
        '-e',
        'tcp.seq_raw',
      ],
      { encoding: 'utf8' },
    );
    expect(ours).toBe(theirs);
  });
});

describe('netsh .etl', () => {
  test('an .etl written from a recorded trace opens in the lab and shows its verdict', async () => {
    const { writeEtl } = await import('../etl/write-etl.ts');
    const { packetsFrom } = await import('../etl/helpers.ts');
    const { pcapngFrames } = await import('../etl/pcapng-frames.ts');
    // the blocked-by-DROP client capture, as netsh would have logged it (events over 4 CPUs)
    const source = pcapngFrames(readFileSync('public/traces/blocked-drop-client.pcapng'));
    const etl = writeEtl(packetsFrom(source), { shuffleSeed: 7, bufferSize: 4096 }).bytes;
    await openLab();
    await page
      .getByLabel('Open capture')
      .setInputFiles({ name: 'client.etl', mimeType: 'application/octet-stream', buffer: Buffer.from(etl) });
    await page
      .getByText(/connection attempt/)
      .first()
      .waitFor();
    await page
      .getByRole('region', { name: 'Verdicts' })
      .getByText(/No response/)
      .first()
      .waitFor();
    await screenshot(page, 'lab-etl');
  });
});

describe('cancel, share, both sides', () => {
  test('a large capture can be cancelled while it is read, and the page keeps working', async () => {
    await openLab();
    // about 60 MB: a pcapng repeated (each copy is a new pcapng section)
    const section = readFileSync(manyAttempts());
    writeFileSync(
      'test-output/big.pcapng',
      Buffer.concat(Array.from({ length: Math.ceil((60 << 20) / section.length) }, () => section)),
    );
    await page.getByLabel('Open capture').setInputFiles('test-output/big.pcapng');
    const cancel = page.getByRole('button', { name: 'Cancel' });
    await cancel.waitFor();
    await page.getByRole('progressbar').waitFor();
    await cancel.click();
    await page.getByText('Cancelled.').waitFor();
    // still responsive: another capture opens
    await openThroughInput(HANDSHAKES);
  });

  test('a share link carries a capture in the URL fragment and opens it in the lab', async () => {
    await openLab();
    await openThroughInput(REFUSED);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('button', { name: 'Copy share link' }).click();
    await page.getByText(/Share link copied/).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link.startsWith(`${base}/lab/#capture=v1.`)).toBe(true);
    const other = await context.newPage();
    const requests: string[] = [];
    other.on('request', (r) => requests.push(r.url()));
    await other.goto(link);
    await hydrated(other);
    await other
      .getByRole('region', { name: 'Verdicts' })
      .getByText(/Refused/)
      .first()
      .waitFor();
    // the fragment never reaches a server: no request URL carries it
    expect(requests.some((u) => u.includes('capture=v1'))).toBe(false);
    await other.close();
  });

  test('a client and a server capture opened together say where each attempt died', async () => {
    await openLab();
    await page.getByLabel('Open capture').setInputFiles('public/traces/return-path-drop-client.pcapng');
    await page
      .getByLabel('Open the other side (optional)')
      .setInputFiles('public/traces/return-path-drop-server.pcapng');
    const both = page.getByRole('region', { name: 'Both sides' });
    await both
      .getByText(/ended at: return-path/)
      .first()
      .waitFor();
    await screenshot(page, 'lab-both-sides');
  });
});

describe('captures larger than the browser can hold', () => {
  test('stream through, keeping only the packets that decide the verdicts, and say so', async () => {
    // a browser that gives the page 16 MB, so a 3.9 MB capture cannot be held whole in it
    const small = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await small.addInitScript(() =>
      Object.defineProperty(performance, 'memory', { value: { jsHeapSizeLimit: 16 * 2 ** 20 } }),
    );
    const p = await small.newPage();
    await p.goto(`${base}/lab/`);
    await hydrated(p);
    mkdirSync('test-output', { recursive: true });
    const section = readFileSync(manyAttempts());
    writeFileSync('test-output/larger.pcapng', Buffer.concat(Array.from({ length: 30 }, () => section)));
    await p.getByLabel('Open capture').setInputFiles('test-output/larger.pcapng');
    const notice = p.getByRole('status').filter({ hasText: 'larger.pcapng' });
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(
      /holding all of it would need about \d+ MB of memory, more than this browser gives a page \(16 MB\)/,
    );
    // the counts add up
    await p.getByText(/Too large to hold whole/).waitFor({ timeout: 60_000 });
    expect(await p.getByText(/Too large to hold whole/).innerText()).toMatch(
      /kept the [\d,]+ packets that decide the verdicts,\s+of [\d,]+ read/,
    );
    const counts = await p.getByRole('region', { name: 'Verdicts' }).locator('.counts').innerText({ timeout: 10_000 });
    expect(counts).toMatch(/^[\d,]+ attempts:/);
    // evidence frame numbers still select their packets
    const frameButton = p
      .getByRole('region', { name: 'Verdicts' })
      .getByRole('button', { name: /Select frame \d+/ })
      .first();
    const frame = Number((await frameButton.getAttribute('aria-label'))!.match(/\d+/)![0]);
    await frameButton.click({ timeout: 10_000 });
    const selected = p.getByRole('grid', { name: 'Packets' }).locator('[role=row][aria-selected=true]');
    await expect.poll(async () => (await selected.innerText().catch(() => '')).split(/\s+/)[0]).toBe(String(frame));
    await small.close();
  });
});
