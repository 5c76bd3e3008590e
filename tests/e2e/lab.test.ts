// The instructor's lab in Chromium: open captures through the file input and by drag and drop,
// prove nothing leaves the browser, keep them in the library across reloads, export them.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { corpusPath, netmonCopy, ORACLES } from '../support/corpus.ts';
import { hydrated, launch, screenshot } from './browser.ts';
import { encodeShareFragment } from '../../src/lib/lab/share.ts';

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

describe('a damaged library', () => {
  test('a record whose name is an object is skipped and reported; the rest of the library still shows', async () => {
    await openLab();
    await openThroughInput('public/traces/closed-rst-client.pcapng');
    const library = page.getByRole('region', { name: 'Your captures in this browser' });
    await library.getByRole('cell', { name: 'closed-rst-client.pcapng', exact: true }).first().waitFor();
    // Written straight into the browser's IndexedDB, as a broken version of the site could.
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open('porttrace-lab');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction('captures', 'readwrite');
            tx.objectStore('captures').put({ id: 990001, name: { html: '<b>x</b>' }, size: 3, addedAt: Date.now() });
            tx.oncomplete = () => {
              open.result.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        }),
    );
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (let visit = 0; visit < 2; visit++) {
      await page.reload();
      await hydrated(page);
      await page
        .getByRole('status')
        .filter({ hasText: /One record of the capture library could not be read/ })
        .waitFor();
      await library.getByRole('cell', { name: 'closed-rst-client.pcapng', exact: true }).first().waitFor();
    }
    expect(errors).toEqual([]);
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
    const first = await verdicts.locator('ol.attempts > li .tuple').allInnerTexts();
    await verdicts.getByRole('group', { name: 'Pages of attempts' }).getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => verdicts.locator('.range').innerText()).toBe('Attempts 11–20 of 100');
    // the page fetched later holds ten other attempts than the first
    const second = await verdicts.locator('ol.attempts > li .tuple').allInnerTexts();
    expect(second).toHaveLength(10);
    expect(new Set([...first, ...second]).size).toBe(20);
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

  test('a share link opens when capture= comes after another parameter, and when only the fragment changes', async () => {
    // closed-rst-client: one attempt to 3390, refused.
    const fragment = await encodeShareFragment(new Uint8Array(readFileSync('public/traces/closed-rst-client.pcapng')));
    const other = await context.newPage();
    await other.goto(`${base}/lab/#from=mail&${fragment.slice(1)}`);
    await hydrated(other);
    const verdicts = other.getByRole('region', { name: 'Verdicts' });
    await verdicts
      .getByText(/Refused/)
      .first()
      .waitFor();
    // The same tab, another link: only the fragment changes, so the page is not loaded again.
    await other.goto(`${base}/lab/`);
    await hydrated(other);
    const blocked = await encodeShareFragment(new Uint8Array(readFileSync('public/traces/blocked-drop-client.pcapng')));
    await other.evaluate((hash) => (location.hash = hash), blocked);
    await verdicts
      .getByText(/No response — blocked/)
      .first()
      .waitFor();
    await other.close();
  });

  for (const [order, first, second] of [
    ['client first', 'return-path-drop-client', 'return-path-drop-server'],
    ['server first', 'return-path-drop-server', 'return-path-drop-client'],
  ] as const) {
    test(`a pair opened ${order} leads with where the packets stop, and tells the sides from the packets`, async () => {
      await openLab();
      await page.getByLabel('Open capture').setInputFiles(`public/traces/${first}.pcapng`);
      await page.getByLabel('Open the other side (optional)').setInputFiles(`public/traces/${second}.pcapng`);
      const both = page.getByRole('region', { name: 'Both sides' });
      const headline = both.locator('.headline').first();
      await headline.waitFor({ timeout: 30_000 });
      expect(await headline.innerText()).toBe(
        "Reached the server; the server's SYN/ACK never came back — dropped on the return path.",
      );
      const sides = await both.locator('.sides').innerText();
      expect(sides).toMatch(
        /Client capture\s+return-path-drop-client\.pcapng\s+Server capture\s+return-path-drop-server\.pcapng/i,
      );
      // each side's own reading below the answer
      const text = await both.innerText();
      expect(text).toMatch(/No response — blocked/);
      expect(text).toMatch(/Half-open — port open/);
      // the lost SYN/ACKs end in ✕ on the ladder
      expect(await both.locator('.pair-ladder .cross').count()).toBeGreaterThan(0);
      expect(text).not.toContain('Nothing was lost on the way');
      await screenshot(page, `lab-both-sides-${order.replace(' ', '-')}`);
    });
  }

  test('Swap sides turns the roles around by hand, and the answer follows', async () => {
    const both = page.getByRole('region', { name: 'Both sides' });
    await both.getByRole('button', { name: 'Swap sides' }).click();
    await expect
      .poll(() => both.locator('.sides').innerText(), { timeout: 30_000 })
      .toMatch(/Client capture\s+return-path-drop-server\.pcapng/i);
    expect(await both.textContent()).toContain('Sides as you set them');
  });

  test('Try a sample opens a bundled pair and compares it', async () => {
    await openLab();
    await page.getByRole('button', { name: /Try a sample/ }).click();
    const both = page.getByRole('region', { name: 'Both sides' });
    await both.locator('.headline').first().waitFor({ timeout: 30_000 });
    expect(await both.locator('.headline').first().innerText()).toMatch(/dropped on the return path/);
    // given server first, shown client first
    expect(await both.locator('.sides').innerText()).toMatch(/Client capture\s+return-path-drop-client/i);
  });

  test('the pair report and share link carry both sides and the comparison', async () => {
    const both = page.getByRole('region', { name: 'Both sides' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      both.getByRole('button', { name: 'Report of both sides (JSON)' }).click(),
    ]);
    const report = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(report.format).toBe('porttrace-pair');
    expect(report.clientName).toBe('return-path-drop-client.pcapng');
    expect(report.rows[0].where).toBe('return-path');
    expect(report.rows[0].clientSide.verdict).toBe('no-response');
    expect(report.rows[0].serverSide.verdict).toBe('half-open');
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await both.getByRole('button', { name: 'Copy share link of both' }).click();
    await page.getByText(/Share link of both sides/).waitFor();
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toMatch(/#capture=v1\.[\w-]+&server=v1\.[\w-]+$/);
    const other = await context.newPage();
    await other.goto(link);
    await hydrated(other);
    const shared = other.getByRole('region', { name: 'Both sides' });
    await shared.locator('.headline').first().waitFor({ timeout: 30_000 });
    expect(await shared.locator('.headline').first().innerText()).toMatch(/dropped on the return path/);
    await other.close();
  });
});

describe("the lab's filter bar, as Wireshark's", () => {
  test('warns that === means "all equal", and hints at commas in a set', async () => {
    await openLab();
    await openThroughInput('public/traces/open-client.pcapng');
    const bar = page.locator('.filter-bar').first();
    const input = bar.getByLabel('Display filter', { exact: true });
    await input.fill('tcp.port === 3389');
    await expect.poll(() => bar.innerText()).toContain('Valid, but:');
    expect(await bar.innerText()).toContain('Wireshark\'s === means "all equal"');
    await input.fill('tcp.port in {3389 5985}');
    await expect.poll(() => bar.innerText()).toContain('Separate the values of a set with commas');
  });
});

describe('phone size', () => {
  test('the packet list scrolls sideways at 390 px: Protocol, Length and the whole Info can be reached', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(phone);
    const grid = phone.getByRole('grid', { name: 'Packets' }).first();
    const row = grid.locator('[role=row]', { hasText: 'TCP Retransmission' }).first();
    await row.waitFor();
    const viewport = grid.locator('.viewport');
    const { scrollWidth, clientWidth } = await viewport.evaluate((v) => ({
      scrollWidth: v.scrollWidth,
      clientWidth: v.clientWidth,
    }));
    expect(scrollWidth).toBeGreaterThan(clientWidth);
    // scrolled to the end, the end of the Info text is inside the list's box
    await viewport.evaluate((v) => (v.scrollLeft = v.scrollWidth));
    const info = row.locator('.info');
    const [infoBox, listBox] = [await info.boundingBox(), await viewport.boundingBox()];
    const textRight = await info.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return range.getBoundingClientRect().right;
    });
    expect(infoBox).not.toBeNull();
    expect(textRight).toBeLessThanOrEqual(listBox!.x + listBox!.width + 1);
    // the header moved with it: Protocol is above the protocol cells
    const [head, cell] = [
      await grid.getByRole('columnheader', { name: 'Protocol' }).boundingBox(),
      await row.locator('.proto').boundingBox(),
    ];
    expect(Math.abs(head!.x - cell!.x)).toBeLessThan(2);
    await screenshot(phone, 'phone-packet-list-scrolled');
    // and the page itself does not scroll sideways
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.close();
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

  test('a small capture with very many attempts (a SYN flood) is also read handshakes-only, and the page says why', async () => {
    // 128 MB for the page: 60,000 SYNs in 4.2 MB would fit by size (4 × the file), not with
    // the memory each attempt takes.
    const small = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await small.addInitScript(() =>
      Object.defineProperty(performance, 'memory', { value: { jsHeapSizeLimit: 128 * 2 ** 20 } }),
    );
    const p = await small.newPage();
    await p.goto(`${base}/lab/`);
    await hydrated(p);
    const count = 60_000;
    const frame = (i: number) => {
      const f = Buffer.alloc(54);
      f.writeUInt16BE(0x0800, 12);
      f[14] = 0x45;
      f.writeUInt16BE(40, 16);
      f[22] = 64;
      f[23] = 6;
      f.writeUInt32BE((0x0b000000 + i) >>> 0, 26);
      f.writeUInt32BE(0x0a000002, 30);
      f.writeUInt16BE(1024 + (i % 60000), 34);
      f.writeUInt16BE(80, 36);
      f.writeUInt32BE((i * 2654435761) >>> 0, 38);
      f[46] = 0x50;
      f[47] = 0x02;
      return f;
    };
    const header = Buffer.alloc(24);
    header.writeUInt32LE(0xa1b2c3d4, 0);
    header.writeUInt16LE(2, 4);
    header.writeUInt16LE(4, 6);
    header.writeUInt32LE(65535, 16);
    header.writeUInt32LE(1, 20);
    const records = Array.from({ length: count }, (_, i) => {
      const r = Buffer.alloc(16);
      r.writeUInt32LE(1_765_000_000 + Math.floor(i / 1000), 0);
      r.writeUInt32LE((i % 1000) * 1000, 4);
      r.writeUInt32LE(54, 8);
      r.writeUInt32LE(54, 12);
      return Buffer.concat([r, frame(i)]);
    });
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/flood.pcap', Buffer.concat([header, ...records]));
    await p.getByLabel('Open capture').setInputFiles('test-output/flood.pcap');
    const notice = p.getByRole('status').filter({ hasText: 'flood.pcap' });
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/this capture is 4 MB with about (59|60),\d{3} connection attempts/);
    await p.getByText(/Too large to hold whole/).waitFor({ timeout: 60_000 });
    // opened again from the library, it is judged the same way (it once was read whole from there)
    await p.reload();
    await hydrated(p);
    const library = p.getByRole('region', { name: 'Your captures in this browser' });
    await library
      .getByRole('row')
      .filter({ hasText: 'flood.pcap' })
      .first()
      .getByRole('button', { name: /Open/ })
      .click();
    expect(await notice.innerText()).toMatch(/this capture is 4 MB with about (59|60),\d{3} connection attempts/);
    await p.getByText(/Too large to hold whole/).waitFor({ timeout: 60_000 });
    await small.close();
  });
});
