// A learner's walk through the lessons in Chromium: every lesson renders and hydrates, and the
// interactive steps of the article's scenarios work on the real traces.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { readdirSync, readFileSync } from 'node:fs';
import { hydrated, launch, lessonSlugs, screenshot } from './browser.ts';

const base = inject('baseUrl');
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

const LESSONS = lessonSlugs();

beforeAll(async () => {
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(`${m.text()} (${m.location().url})`));
});
afterAll(async () => browser?.close());

/** Types a filter into the first (or given) Display filter box and applies it with Enter. */
async function applyFilter(text: string, nth = 0) {
  const input = page.getByLabel('Display filter', { exact: true }).nth(nth);
  await input.fill(text);
  await input.press('Enter');
}

async function infoTexts(grid = page.getByRole('grid', { name: 'Packets' }).first()): Promise<string[]> {
  return grid.locator('[role=row][aria-rowindex]:not([aria-rowindex="1"]) [role=gridcell]:last-child').allInnerTexts();
}

describe('every lesson', () => {
  test('the lessons folder holds the course (at least the eight lessons of the article and beyond)', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(8);
    expect(LESSONS).toContain('scenario-1-blocked');
  });

  for (const slug of LESSONS) {
    test(`${slug} renders, hydrates its widgets and logs no error`, async () => {
      pageErrors.length = 0;
      await page.goto(`${base}/lessons/${slug}/`);
      await hydrated(page);
      expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
      // every explorer on the page has read its trace (no "Could not read")
      await page.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'), null, {
        timeout: 20_000,
      });
      expect(await page.getByText('Could not read').count()).toBe(0);
      expect(pageErrors).toEqual([]);
      await screenshot(page, `lesson-${slug}`);
    });
  }
});

describe('scenario 1, the article step by step', () => {
  test('tcp.port==3389 reveals the client port, tcp.port==57475 the whole conversation', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    const grid = page.getByRole('grid', { name: 'Packets' }).first();
    await grid.locator('[role=row]', { hasText: '3389' }).first().waitFor();
    await applyFilter('tcp.port==3389');
    await expect.poll(async () => (await infoTexts(grid)).length).toBe(3);
    const infos = await infoTexts(grid);
    expect(infos.every((i) => i.includes('57475 → 3389') && i.includes('[SYN]'))).toBe(true);
    expect(infos.filter((i) => i.includes('TCP Retransmission'))).toHaveLength(2);
    await applyFilter('tcp.port==57475');
    await expect.poll(async () => (await infoTexts(grid)).length).toBe(3);
  });

  test('a typo is explained with a caret under the bad token and a suggestion', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    await page
      .getByRole('grid', { name: 'Packets' })
      .first()
      .locator('[role=row]', { hasText: '3389' })
      .first()
      .waitFor();
    await applyFilter('tcp.prot==3389');
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    const text = await alert.innerText();
    expect(text).toContain('tcp.prot==3389');
    expect(text).toMatch(/\^~{7}/);
    expect(text).toContain('tcp.port');
  });

  test('Network Monitor view shows SynReTransmit descriptions with raw numbers', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    const grid = page.getByRole('grid', { name: 'Packets' }).first();
    await grid.locator('[role=row]', { hasText: '3389' }).first().waitFor();
    await page.getByLabel('Network Monitor descriptions').first().check();
    const texts = await infoTexts(grid);
    expect(texts.some((t) => t.includes('Seq=1912198306') && t.includes('Ack=0'))).toBe(true);
    // as in the article: the sender's copy carries the offload signature
    expect(texts.some((t) => t.startsWith('TCP:[SynReTransmit #3] [Bad CheckSum]Flags=......S.'))).toBe(true);
    expect(texts.some((t) => t.startsWith('TCP:[Bad CheckSum]Flags=......S.'))).toBe(true);
    // a description longer than the list can be read in full
    const cell = grid.locator('[role=row]', { hasText: 'SynReTransmit' }).first().locator('.info');
    expect(await cell.getAttribute('title')).toMatch(/Win=64240 \( Negotiating scale factor 0x8 \) = 64240$/);
    // and, for keyboard and touch, the selected packet's whole description under the list
    await grid.locator('[role=row]', { hasText: 'SynReTransmit' }).first().click();
    const whole = page.locator('.selected-text').first();
    await whole.waitFor();
    expect(await whole.innerText()).toMatch(
      /^#4\s+TCP:\[SynReTransmit #3\] \[Bad CheckSum\]Flags=\.{6}S\., .* = 64240$/,
    );
    await screenshot(page, 'netmon-bad-checksum');
  });

  test("the receiver's copy of the same SYNs has no [Bad CheckSum]", async () => {
    const grid = page.getByRole('grid', { name: 'Packets' }).nth(1);
    await page.getByLabel('Network Monitor descriptions').nth(1).check();
    await grid.locator('[role=row]', { hasText: 'SynReTransmit' }).first().waitFor();
    const texts = await infoTexts(grid);
    expect(texts.filter((t) => t.includes('Flags=......S.'))).toHaveLength(3);
    expect(texts.some((t) => t.includes('[Bad CheckSum]'))).toBe(false);
  });

  test('the filter challenge accepts any filter with the right frames and hints after a wrong try', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    const challenge = page.getByRole('region', { name: 'Filter challenge' }).first();
    const input = challenge.getByLabel('Display filter', { exact: true });
    await input.fill('tcp.flags.ack==1');
    await input.press('Enter');
    await challenge.getByText(/Not yet/).waitFor();
    expect(await challenge.getByText(/Hint 1/).count()).toBe(1);
    // an equivalent filter, spelled differently from the reference answer
    await input.fill('tcp.srcport==57475 || tcp.dstport==57475');
    await input.press('Enter');
    await challenge.getByText(/Right/).waitFor();
    await screenshot(page, 'challenge-solved');
  });

  test('the challenge is graded by meaning: filters that only look right on the blocked trace are wrong, and say why', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    const challenge = page.getByRole('region', { name: 'Filter challenge' }).first();
    const input = challenge.getByLabel('Display filter', { exact: true });
    const feedback = challenge.getByRole('status');
    // each shows exactly the three SYNs on this trace, as tcp.port==57475 does
    for (const wrong of ['tcp.srcport==57475', 'tcp', 'tcp.port==3389', 'ip.addr==10.0.0.2']) {
      await input.fill(wrong);
      await input.press('Enter');
      await expect.poll(() => feedback.innerText()).toContain(`“${wrong}” happens to show the right frames`);
      expect(await feedback.innerText()).toMatch(/Not yet/);
    }
    await input.fill('tcp.srcport==57475');
    await input.press('Enter');
    await expect
      .poll(() => feedback.innerText())
      .toMatch(/it would hide frame 11 \(10\.0\.0\.2 → 10\.0\.0\.1 3389 → 57475 \[SYN, ACK\]/);
    await screenshot(page, 'challenge-wrong-by-meaning');
    await input.fill('tcp.port==57475');
    await input.press('Enter');
    await expect.poll(() => feedback.innerText()).toMatch(/^✔?\s*Right/);
  });

  test('the verdict says no response, and its evidence frames select packets', async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    // The first verdict panel is the client trace's (the second, further down, is pktmon's).
    await page.getByRole('button', { name: 'Show the verdict and the evidence' }).first().click();
    const verdicts = page.getByRole('region', { name: 'Verdicts', exact: true }).first();
    await verdicts
      .getByText(/No response/)
      .first()
      .waitFor();
    expect(await verdicts.innerText()).toMatch(/filtered/);
    const frameButton = verdicts.getByRole('button', { name: /Select frame \d+/ }).first();
    const label = await frameButton.getAttribute('aria-label');
    const frame = Number(label!.match(/\d+/)![0]);
    await frameButton.click();
    const selected = page.getByRole('grid', { name: 'Packets' }).first().locator('[role=row][aria-selected=true]');
    await expect.poll(async () => (await selected.innerText()).split(/\s+/)[0]).toBe(String(frame));
    await screenshot(page, 'scenario-1-verdict');
  });

  test("the pktmon trace's verdict cites the SYNs pktmon logged as dropped", async () => {
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    await page.getByRole('button', { name: 'Show the verdict and the evidence' }).last().click();
    const verdicts = page.getByRole('region', { name: 'Verdicts' }).last();
    await verdicts
      .getByText(/pktmon logged this SYN as dropped by component 12 \(TCPIP\)/)
      .first()
      .waitFor();
    expect(await verdicts.innerText()).not.toMatch(/From this side alone/);
  });
});

describe('predict, then reveal', () => {
  test('the learner picks a verdict and checks it before seeing the engine’s answer', async () => {
    await page.goto(`${base}/lessons/why-a-blocked-port-hides/`);
    await hydrated(page);
    const predict = page.getByRole('region', { name: 'Predict the verdict' });
    expect(await predict.getByRole('region', { name: 'Verdicts' }).count()).toBe(0);
    await predict.getByLabel(/Refused/).check();
    // choosing is not answering: nothing is revealed until Check
    expect(await predict.getByRole('status').count()).toBe(0);
    await predict.getByRole('button', { name: 'Check' }).click();
    await predict.getByText('Right.').waitFor();
    await predict
      .getByRole('region', { name: 'Verdicts' })
      .getByText(/Refused/)
      .first()
      .waitFor();
  });

  test('arrow keys move the choice without submitting; a wrong answer says why and can be retried', async () => {
    await page.goto(`${base}/lessons/why-a-blocked-port-hides/`);
    await hydrated(page);
    const predict = page.getByRole('region', { name: 'Predict the verdict' });
    const first = predict.getByRole('radio').first();
    await first.focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await predict.getByRole('status').count()).toBe(0);
    // the third choice, no-response, is wrong for a refused port
    expect(await predict.getByRole('radio').nth(2).isChecked()).toBe(true);
    await predict.getByRole('button', { name: 'Check' }).click();
    const status = predict.getByRole('status');
    await expect.poll(() => status.innerText()).toContain('Not this time');
    expect(await status.innerText()).toContain('only the client’s SYNs');
    // the answer is not given away, and the learner can try again
    expect(await predict.getByRole('region', { name: 'Verdicts' }).count()).toBe(0);
    await screenshot(page, 'predict-wrong');
    await predict.getByLabel(/Refused/).check();
    await predict.getByRole('button', { name: 'Check again' }).click();
    await expect.poll(() => status.innerText()).toContain('Right.');
    await predict.getByRole('region', { name: 'Verdicts' }).first().waitFor();
    expect(await predict.getByRole('radio').first().isDisabled()).toBe(true);
  });
});

describe('phone size', () => {
  test('lessons stay usable at 390×844', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    for (const slug of ['scenario-1-blocked', 'both-sides']) {
      await phone.goto(`${base}/lessons/${slug}/`);
      await hydrated(phone);
      await phone.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'));
      // nothing wider than the screen except inside scrollable widgets
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(phone, `phone-${slug}`);
    }
    await phone.close();
  });
});

describe('every challenge can be solved', () => {
  // the reference answers, read from the lessons' source (each <FilterChallenge … answer="…">)
  const challenges = readdirSync('src/content/docs/lessons').flatMap((file) => {
    const source = readFileSync(`src/content/docs/lessons/${file}`, 'utf8');
    return [...source.matchAll(/<FilterChallenge[^>]*\banswer="([^"]+)"/g)].map((m, i) => ({
      slug: file.replace(/\.mdx$/, ''),
      index: i,
      answer: m[1],
    }));
  });

  test('the lessons have challenges', () => expect(challenges.length).toBeGreaterThanOrEqual(2));

  for (const { slug, index, answer } of challenges) {
    test(`${slug}, challenge ${index + 1}: the reference answer passes`, async () => {
      await page.goto(`${base}/lessons/${slug}/`);
      await hydrated(page);
      const challenge = page.getByRole('region', { name: 'Filter challenge' }).nth(index);
      const input = challenge.getByLabel('Display filter', { exact: true });
      await input.fill(answer);
      await input.press('Enter');
      await challenge.getByText(/Right/).waitFor();
    });
  }
});
