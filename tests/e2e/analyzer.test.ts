// The lab's analyzer in Chromium: conversations and endpoints (open, sort, apply as filter,
// 100 000 rows scrolled), Follow Stream (both directions; hostile payloads stay text), the I/O
// graph and the time-sequence graph drawn, the expert summary's links, and axe in both themes.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { PcapngWriter } from '../../src/lib/capture/write-pcapng.ts';
import { hydrated, launch, screenshot } from './browser.ts';

const base = inject('baseUrl');
const SCENARIO_3 = 'public/traces/article-success-client.pcapng';
let browser: Browser;
let page: Page;
const dialogs: string[] = [];

beforeAll(async () => {
  browser = await launch();
  // axe needs a page of an explicit context
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});
afterAll(async () => browser?.close());

/** An Ethernet/IPv4/TCP or UDP frame (checksums left zero: unverified is fine here). */
function frame(
  proto: 'tcp' | 'udp',
  src: number[],
  dst: number[],
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  payload: Uint8Array,
): Uint8Array {
  const header = proto === 'tcp' ? 20 : 8;
  const bytes = new Uint8Array(14 + 20 + header + payload.length);
  const v = new DataView(bytes.buffer);
  bytes.set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0);
  v.setUint16(12, 0x0800);
  bytes[14] = 0x45;
  v.setUint16(16, 20 + header + payload.length);
  bytes[22] = 64;
  bytes[23] = proto === 'tcp' ? 6 : 17;
  bytes.set(src, 26);
  bytes.set(dst, 30);
  v.setUint16(34, sport);
  v.setUint16(36, dport);
  if (proto === 'tcp') {
    v.setUint32(38, seq);
    v.setUint32(42, ack);
    bytes[46] = 0x50;
    bytes[47] = flags;
    v.setUint16(48, 64240);
  } else v.setUint16(38, 8 + payload.length);
  bytes.set(payload, 14 + 20 + header);
  return bytes;
}

const HOSTILE_REQUEST = '<img src=x onerror="alert(1)"><script>alert(2)</script>\u0000\u001b[2J';
const HOSTILE_REPLY = '</pre><svg onload=alert(3)>';

/** One TCP connection whose payloads are markup and control bytes. */
function hostileStream(): Uint8Array {
  const writer = new PcapngWriter({});
  const iface = writer.addInterface({ linkType: 1 });
  const a = [10, 0, 0, 1];
  const b = [10, 0, 0, 2];
  const request = new TextEncoder().encode(HOSTILE_REQUEST);
  const reply = new TextEncoder().encode(HOSTILE_REPLY);
  const frames = [
    frame('tcp', a, b, 50000, 8000, 100, 0, 0x02, new Uint8Array()),
    frame('tcp', b, a, 8000, 50000, 500, 101, 0x12, new Uint8Array()),
    frame('tcp', a, b, 50000, 8000, 101, 501, 0x10, new Uint8Array()),
    frame('tcp', a, b, 50000, 8000, 101, 501, 0x18, request),
    frame('tcp', b, a, 8000, 50000, 501, 101 + request.length, 0x18, reply),
  ];
  frames.forEach((data, i) =>
    writer.addPacket({ interfaceId: iface, seconds: 1_700_000_000, nanoseconds: i * 1000, data }),
  );
  return writer.toBytes();
}

/** 100 000 UDP conversations, one datagram each, to different ports. */
function manyConversations(): Uint8Array {
  const writer = new PcapngWriter({});
  const iface = writer.addInterface({ linkType: 1 });
  const payload = new Uint8Array(4);
  for (let i = 0; i < 100_000; i++) {
    const data = frame(
      'udp',
      [10, 1, (i >> 8) & 255, i & 255],
      [10, 2, 0, 1],
      1024 + (i % 60000),
      9999,
      0,
      0,
      0,
      payload,
    );
    writer.addPacket({
      interfaceId: iface,
      seconds: 1_700_000_000 + Math.floor(i / 1000),
      nanoseconds: (i % 1000) * 1000,
      data,
    });
  }
  return writer.toBytes();
}

function fixture(name: string, bytes: Uint8Array): string {
  mkdirSync('test-output', { recursive: true });
  const path = `test-output/${name}`;
  writeFileSync(path, bytes);
  return path;
}

async function openInLab(path: string) {
  await page.goto(`${base}/lab/`);
  await hydrated(page);
  await page.getByLabel('Open capture').setInputFiles(path);
  await page
    .getByText(/connection attempts?/)
    .first()
    .waitFor({ timeout: 60_000 });
  await page.getByText('Conversations, streams, graphs and expert summary').click();
  await page.getByRole('group', { name: 'Analyzer views' }).waitFor();
}

const views = () => page.getByRole('group', { name: 'Analyzer views' });
const filterBox = () => page.getByLabel('Display filter', { exact: true });

describe('the analyzer on scenario 3', () => {
  test('names Kerberos and RDP in the packet list', async () => {
    await openInLab(SCENARIO_3);
    const grid = page.getByRole('grid', { name: 'Packets' });
    await grid.locator('[role=row]', { hasText: 'KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED' }).first().waitFor();
    await grid.locator('[role=row]', { hasText: 'Cookie: mstshash=alice, Negotiate Request' }).first().waitFor();
  });

  test('conversations: open, sort, apply as filter', async () => {
    const table = page.getByRole('region', { name: 'TCP conversations' });
    await table.waitFor();
    const rows = table.locator('tbody tr:not(.pt-stats-pad)');
    expect(await rows.count()).toBe(2);
    await expect.poll(() => rows.first().textContent()).toContain('Connected');
    // Sort by bytes, largest first: the Kerberos exchange (771 bytes) before RDP's (572).
    await table.getByRole('button', { name: 'Bytes', exact: true }).click();
    await expect.poll(() => table.locator('th[aria-sort=descending]').textContent()).toContain('Bytes');
    expect(await rows.first().textContent()).toContain('88');
    await table.getByRole('button', { name: 'Bytes', exact: true }).click();
    expect(await rows.first().textContent()).toContain('3389');
    await rows
      .first()
      .getByRole('button', { name: /Apply as filter A ↔ B/ })
      .click();
    await expect
      .poll(() => filterBox().inputValue())
      .toBe('ip.addr==10.0.0.1 && tcp.port==57491 && ip.addr==10.0.0.2 && tcp.port==3389');
    await page.getByText('Displayed: 9 of 20').waitFor();
    // One direction at a time, as Wireshark's "A → B" and "B → A" (tshark: 5 and 4 frames).
    await rows
      .first()
      .getByRole('button', { name: /Apply as filter A → B/ })
      .click();
    await expect
      .poll(() => filterBox().inputValue())
      .toBe('ip.src==10.0.0.1 && tcp.srcport==57491 && ip.dst==10.0.0.2 && tcp.dstport==3389');
    await page.getByText('Displayed: 5 of 20').waitFor();
    await rows
      .first()
      .getByRole('button', { name: /Apply as filter B → A/ })
      .click();
    await expect
      .poll(() => filterBox().inputValue())
      .toBe('ip.src==10.0.0.2 && tcp.srcport==3389 && ip.dst==10.0.0.1 && tcp.dstport==57491');
    await page.getByText('Displayed: 4 of 20').waitFor();
    await views().getByRole('button', { name: 'Endpoints' }).click();
    await page.getByRole('region', { name: 'TCP endpoints' }).waitFor();
    await screenshot(page, 'analyzer-conversations');
  });

  test('follow the Kerberos stream, both directions, as text and hex', async () => {
    await views().getByRole('button', { name: 'Conversations' }).click();
    const table = page.getByRole('region', { name: 'TCP conversations' });
    await table.getByRole('button', { name: 'Follow TCP stream 0' }).click();
    const contents = page.getByRole('region', { name: 'Stream contents' });
    await contents.waitFor();
    expect(await contents.locator('pre.client').count()).toBe(1);
    expect(await contents.locator('pre.server').count()).toBe(1);
    expect(await contents.locator('pre.client').textContent()).toContain('LAB.EXAMPLE');
    await page.getByRole('button', { name: 'Hex', exact: true }).click();
    expect(await contents.locator('pre.client').textContent()).toMatch(/00000000 {2}00 00 00 9f 6a 81/);
    await screenshot(page, 'analyzer-follow');
  });

  test('follow the DNS exchange from its UDP conversation row', async () => {
    await views().getByRole('button', { name: 'Conversations' }).click();
    await page.getByRole('group', { name: 'Protocol' }).getByRole('button', { name: 'UDP', exact: true }).click();
    const table = page.getByRole('region', { name: 'UDP conversations' });
    await table.waitFor();
    await table.getByRole('button', { name: /^Follow UDP stream 10\.0\.0\.1:\d+ ↔ 10\.0\.0\.10:53$/ }).click();
    const contents = page.getByRole('region', { name: 'Stream contents' });
    await contents.waitFor();
    expect(await page.locator('.follow .heading').textContent()).toMatch(/^\s*UDP stream/);
    // tshark: frame 1 the query, frame 2 the response, both for rdp01.lab.example
    expect(await contents.locator('pre.client').textContent()).toMatch(/^client, frame 1.*rdp01.lab.example/s);
    expect(await contents.locator('pre.server').textContent()).toMatch(/^server, frame 2.*rdp01.lab.example/s);
    await screenshot(page, 'analyzer-follow-udp');
  });

  test('draws the I/O graph and the time-sequence graph', async () => {
    await views().getByRole('button', { name: 'I/O graph' }).click();
    const io = page.locator('svg.chart polyline.series');
    await expect.poll(() => io.count()).toBe(3);
    expect(await page.locator('.io figcaption').textContent()).toMatch(/tcp.flags.syn==1 && tcp.flags.ack==0 — 2/);
    await screenshot(page, 'analyzer-io-graph');
    await views().getByRole('button', { name: 'Time-sequence' }).click();
    await page.getByLabel('TCP stream (tcp.stream)').fill('1');
    await page.getByRole('button', { name: 'Draw' }).click();
    await expect.poll(() => page.locator('svg.chart line.segment').count()).toBeGreaterThan(0);
    await screenshot(page, 'analyzer-tcptrace');
  });

  test('the expert summary applies a verdict filter', async () => {
    await views().getByRole('button', { name: 'Expert summary' }).click();
    await page.getByRole('button', { name: /Connected — port open: 2/ }).click();
    await expect.poll(() => filterBox().inputValue()).toBe('tcp.stream in {0, 1}');
    await page.getByText('Displayed: 18 of 20').waitFor();
  });

  test('axe finds nothing in either theme, on every view', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.evaluate((t) => document.documentElement.setAttribute('data-theme', t), theme);
      for (const name of [
        'Conversations',
        'Endpoints',
        'Follow stream',
        'I/O graph',
        'Time-sequence',
        'Expert summary',
      ]) {
        await views().getByRole('button', { name, exact: true }).click();
        await page.waitForTimeout(200);
        const result = await new AxeBuilder({ page }).include('.analyzer').analyze();
        expect(
          result.violations.map((v) => `${theme} ${name}: ${v.id} ${v.nodes.map((n) => n.target).join(' ')}`),
        ).toEqual([]);
      }
      await screenshot(page, `analyzer-${theme}`);
    }
  });
});

describe('in the lessons', () => {
  test('Beyond the article draws the I/O graph of a port scan', async () => {
    await page.goto(`${base}/lessons/beyond-the-article/`);
    await hydrated(page);
    const widget = page.locator('figure.io-widget');
    await widget.scrollIntoViewIfNeeded();
    await expect.poll(() => widget.locator('svg.chart polyline.series').count(), { timeout: 30_000 }).toBe(3);
    // The recording set up 96 ports: 5 open, 3 closed, 88 filtered (each SYN sent three times).
    // SYNs: 96 + 88 + 88; SYN/ACKs: one per open port; resets: 3 closed + the scanner's 5.
    const caption = await widget.locator('.io figcaption').textContent();
    expect(caption).toMatch(/^\s*Packets per 100 ms/);
    expect(caption).toMatch(/tcp.flags.syn==1 && tcp.flags.ack==0 — 272/);
    expect(caption).toMatch(/tcp.flags.syn==1 && tcp.flags.ack==1 — 5/);
    expect(caption).toMatch(/tcp.flags.reset==1 — 8/);
    await widget.screenshot({ path: 'test-output/screenshots/analyzer-lesson-io-graph.png' });
  });
});

describe('the time-sequence graph with losses', () => {
  test('shows the SACK blocks the receiver reported', async () => {
    // PPPoE in QinQ, losses both ways: 1.1.1.1 → 2.2.2.2:443 sends more, and the other side's
    // ACKs carry 14 SACK blocks (tshark: tcp.options.sack_le on those frames).
    await openInLab('tests/corpus/zeek/Traces/pppoe-over-qinq.pcap');
    await views().getByRole('button', { name: 'Time-sequence' }).click();
    await page.getByLabel('TCP stream (tcp.stream)').fill('0');
    await page.getByRole('button', { name: 'Draw' }).click();
    await expect.poll(() => page.locator('svg.chart line.sack').count()).toBe(14);
    expect(await page.locator('.tcptrace figcaption').textContent()).toMatch(
      /1\.1\.1\.1:20394 → 2\.2\.2\.2:443: .* 14 SACK blocks/s,
    );
    await screenshot(page, 'analyzer-tcptrace-sack');
  });
});

describe('a capture too large to hold whole', () => {
  test('the conversations say their counts are of the kept packets', async () => {
    // A browser that gives the page 16 MB: 1,600 copies of the open trace (5 MB) are read
    // handshakes-only, keeping the packets that decide the verdicts.
    const small = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await small.addInitScript(() =>
      Object.defineProperty(performance, 'memory', { value: { jsHeapSizeLimit: 16 * 2 ** 20 } }),
    );
    const p = await small.newPage();
    await p.goto(`${base}/lab/`);
    await hydrated(p);
    const section = readFileSync('public/traces/open-client.pcapng');
    const path = fixture('open-1600.pcapng', Buffer.concat(Array.from({ length: 1600 }, () => section)));
    await p.getByLabel('Open capture').setInputFiles(path);
    const kept = p.getByText(/Too large to hold whole/);
    await kept.waitFor({ timeout: 60_000 });
    const [, keptCount, readCount] = /kept the ([\d,]+) packets that decide the verdicts,\s+of ([\d,]+) read/.exec(
      await kept.innerText(),
    )!;
    await p.getByText('Conversations, streams, graphs and expert summary').click();
    await p.getByRole('region', { name: 'TCP conversations' }).waitFor({ timeout: 60_000 });
    const note = p.locator('.conversations [role=note]');
    expect(await note.innerText()).toMatch(
      new RegExp(
        `^Counted from the ${keptCount} packets kept of ${readCount} read: .* not of the whole capture\\.$`,
        's',
      ),
    );
    expect(Number(keptCount.replace(/,/g, ''))).toBeLessThan(Number(readCount.replace(/,/g, '')));
    await p.getByRole('group', { name: 'Analyzer views' }).getByRole('button', { name: 'Endpoints' }).click();
    await p.getByRole('region', { name: 'TCP endpoints' }).waitFor();
    expect(await note.count()).toBe(1);
    await small.close();
  });
});

describe('hostile payloads', () => {
  test('Follow Stream shows markup and control bytes as text, and nothing runs', async () => {
    await openInLab(fixture('hostile-stream.pcapng', hostileStream()));
    await views().getByRole('button', { name: 'Conversations' }).click();
    await page.getByRole('button', { name: 'Follow TCP stream 0' }).click();
    const contents = page.getByRole('region', { name: 'Stream contents' });
    await contents.waitFor();
    expect(await contents.locator('pre.client').textContent()).toContain(
      '<img src=x onerror="alert(1)"><script>alert(2)</script>..[2J',
    );
    expect(await contents.locator('pre.server').textContent()).toContain('</pre><svg onload=alert(3)>');
    expect(await contents.locator('img, script, svg').count()).toBe(0);
    await screenshot(page, 'analyzer-hostile');
    expect(dialogs).toEqual([]);
  });
});

describe('100 000 conversations', () => {
  test('are listed, sorted and scrolled with only the rows in view in the page', async () => {
    await openInLab(fixture('many-conversations.pcapng', manyConversations()));
    await page.getByRole('group', { name: 'Protocol' }).getByRole('button', { name: 'UDP', exact: true }).click();
    const table = page.getByRole('region', { name: 'UDP conversations' });
    await table.waitFor({ timeout: 60_000 });
    await page.getByText('100,000 of 100,000').waitFor();
    expect(await table.locator('tbody tr:not(.pt-stats-pad)').count()).toBeLessThan(60);
    // Numbers sort largest first on the first click.
    await table.getByRole('button', { name: 'Port A', exact: true }).click();
    expect(await table.locator('tbody tr:not(.pt-stats-pad)').first().textContent()).toContain('61023');
    await table.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => table.locator('tbody tr:not(.pt-stats-pad)').last().textContent()).toContain('1024');
    await page.getByLabel('Find in udp conversations').fill('10.1.156.64');
    await page.getByText('1 of 100,000').waitFor();
  });
});
