// The practice page, the assessment, the learner's progress and the reference pages, in Chromium
// against the built site. The expected answers come from the generator itself (the same code
// the page runs), so the tests check what the page does with them: grading, explaining, keeping.
import { AxeBuilder } from '@axe-core/playwright';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { hydrated, launch, screenshot } from './browser.ts';
import { ASSESSMENT } from '../../src/lib/practice/assessment.ts';
import { VERDICT_WORDS, WHERE_WORDS, type AnswerVerdict } from '../../src/lib/practice/grade.ts';
import { generateExercise, type ExerciseRequest, type KeyAttempt } from '../../src/lib/practice/scenario.ts';

const base = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
});
afterAll(async () => browser?.close());

function keyOf(request: ExerciseRequest): KeyAttempt {
  const exercise = generateExercise(request);
  return exercise.attempts[exercise.target]!;
}

/** The frames a right answer picks: what each part of the proof needs. */
const proofFrames = (key: KeyAttempt) => key.proof.flatMap((part) => part.frames.slice(0, part.need));

async function answer(verdict: AnswerVerdict, where: KeyAttempt['where'], frames: number[]) {
  await page.getByLabel(VERDICT_WORDS[verdict], { exact: true }).check();
  if (where) await page.getByLabel(WHERE_WORDS[where], { exact: true }).check();
  await page.getByLabel('Frame numbers, for example 5, 9, 12-14').fill(frames.join(', '));
  await page.getByRole('button', { name: 'Check my answer' }).click();
}

const grade = () => page.locator('.grade[role=status]');

async function clearProgress() {
  await page.goto(`${base}/`);
  await page.evaluate(() => localStorage.clear());
}

describe('practice page', () => {
  const request = { seed: 4242, level: 2, pattern: 'closed-rst' } as const;
  const url = `${base}/practice/?seed=${request.seed}&level=${request.level}&pattern=${request.pattern}`;

  test('a wrong answer is graded part by part and explained with the evidence', async () => {
    await clearProgress();
    pageErrors.length = 0;
    const key = keyOf(request);
    await page.goto(url);
    await hydrated(page);
    await page.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'));
    await expect.poll(() => page.getByText(`to ${key.server}:${key.serverPort}?`).count()).toBeGreaterThan(0);
    const stranger = Math.max(...key.frames) + 1;
    await answer('no-response', 'path', [key.frames[0]!, stranger]);
    const text = await grade().innerText();
    expect(text).toContain('✖ 0 of 3 parts right.');
    expect(text).toContain(`Not ${VERDICT_WORDS['no-response']}.`);
    // the explanation cites the RST and the SYN it answers
    expect(text).toContain(`Frame ${key.proof[1]!.frames[0]} is an RST/ACK`);
    expect(text).toContain(`Not ${WHERE_WORDS.path}.`);
    expect(text).toContain(`Frame ${stranger} is not part of this attempt`);
    await screenshot(page, 'practice-graded-wrong');
    // the next exercise is offered, and changes the address
    await page.getByRole('button', { name: 'Next exercise' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('seed')).not.toBe(String(request.seed));
    expect(pageErrors).toEqual([]);
  });

  test('the right answer is graded right in every part; the seed in the address gives the same exercise', async () => {
    const key = keyOf(request);
    await page.goto(url);
    await hydrated(page);
    await page.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'));
    // pick the SYN by clicking it in the client's packet list, then add it; type the RST
    const [syn, rst] = proofFrames(key);
    await page
      .getByRole('grid', { name: 'Packets' })
      .first()
      .locator(`[role=row][aria-rowindex="${syn! + 1}"]`)
      .click();
    await page.getByRole('button', { name: `Add the selected packet (#${syn})` }).click();
    const frames = page.getByLabel('Frame numbers, for example 5, 9, 12-14');
    expect(await frames.inputValue()).toBe(String(syn));
    await frames.fill(`${syn}, ${rst}`);
    await page.getByLabel(VERDICT_WORDS.refused, { exact: true }).check();
    await page.getByLabel(WHERE_WORDS[key.where!], { exact: true }).check();
    await page.getByRole('button', { name: 'Check my answer' }).click();
    const text = await grade().innerText();
    expect(text).toContain('✔ All right.');
    expect(text).toContain(`Right: frames ${proofFrames(key).join(', ')} prove it.`);
    // the frame buttons select the packet in the client's explorer
    await page.getByRole('button', { name: `#${key.proof[1]!.frames[0]}`, exact: true }).click();
    await expect.poll(() => page.locator('[role=row][aria-selected=true]').first().innerText()).toContain('RST');
    await screenshot(page, 'practice-graded-right');
  });

  test('a bad seed in the address is explained, and a new exercise shown instead', async () => {
    await page.goto(`${base}/practice/?seed=<script>alert(1)</script>`);
    await hydrated(page);
    await expect.poll(() => page.getByRole('alert').first().innerText()).toContain('is not a seed');
    expect(await page.getByRole('button', { name: 'Check my answer' }).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('seed')).toMatch(/^\d+$/);
  });

  test('axe finds no violations on the practice page, graded, in both themes', async () => {
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(url);
      await hydrated(page);
      await page.waitForFunction(() => !document.body.innerText.includes('Reading the capture…'));
      const key = keyOf(request);
      await answer('no-response', 'server', [key.frames[0]!]);
      await grade().waitFor();
      const results = await new AxeBuilder({ page }).exclude('button[data-open-modal]').analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual(
        [],
      );
    }
    await screenshot(page, 'practice-graded-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('axe on the new pages', () => {
  for (const path of [
    '/',
    '/practice/assessment/',
    '/reference/glossary/',
    '/reference/cheat-sheet/',
    '/reference/wireshark/',
  ])
    test(`${path} has no accessibility violations, in both themes, with progress to show`, async () => {
      await page.goto(`${base}/`);
      await page.evaluate(() =>
        localStorage.setItem(
          'porttrace-progress',
          JSON.stringify({
            kind: 'porttrace-progress',
            version: 1,
            lessons: { 'lessons/taking-a-trace': 1 },
            challenges: {},
            predictions: {},
            practice: { open: { seen: 2, correct: 1, box: 0 } },
            level: 2,
            streak: 0,
            assessment: { at: 1, score: 7, total: 10, revisit: ['path-drop'] },
          }),
        ),
      );
      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        await page.goto(`${base}${path}`);
        await hydrated(page);
        const results = await new AxeBuilder({ page }).exclude('button[data-open-modal]').analyze();
        expect(
          results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`),
          theme,
        ).toEqual([]);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });
});

describe('assessment', () => {
  test('ten fixed exercises, a score and the patterns to revisit', async () => {
    await clearProgress();
    await page.goto(`${base}/practice/assessment/`);
    await hydrated(page);
    for (const [k, request] of ASSESSMENT.entries()) {
      await expect.poll(() => page.getByRole('heading', { name: `Exercise ${k + 1} of 10` }).count()).toBe(1);
      const key = keyOf(request);
      // get the third one wrong (its verdict), every other one right
      const verdict = k === 2 ? 'connected' : (key.verdict as AnswerVerdict);
      await answer(verdict, key.where, proofFrames(key));
      await grade().waitFor();
      await page.getByRole('button', { name: k < 9 ? 'Next exercise' : 'See my score' }).click();
    }
    await expect.poll(() => page.getByRole('heading', { name: 'Your score: 9 of 10' }).count()).toBe(1);
    expect(await page.locator('.score').innerText()).toContain('nothing listening: the server resets');
    await screenshot(page, 'assessment-score');
    // kept in the progress, and shown on the home page
    await page.goto(`${base}/`);
    await hydrated(page);
    expect(await page.getByText('Last assessment: 9 of 10').count()).toBe(1);
  });
});

describe('progress', () => {
  const counts = () => page.getByTestId('progress-counts').innerText();
  const sidebar = () => page.getByTestId('sidebar-progress').innerText();

  test('lessons, challenges, predictions and practice are kept across a reload; reset clears them', async () => {
    await clearProgress();
    // a lesson marked finished: the sidebar counts it and ticks its link
    await page.goto(`${base}/lessons/scenario-1-blocked/`);
    await hydrated(page);
    expect(await sidebar()).toContain('0 of 8 lessons');
    await page.getByLabel('I have finished this lesson').check();
    await expect.poll(sidebar).toContain('1 of 8 lessons');
    // the challenge on the same page, solved
    const challenge = page.getByRole('region', { name: 'Filter challenge' });
    const input = challenge.getByLabel('Display filter', { exact: true });
    await input.fill('tcp.port==57475');
    await input.press('Enter');
    await expect.poll(() => challenge.innerText()).toContain('Right:');
    await expect.poll(sidebar).toContain('1 of 2 challenges');

    await page.reload();
    await hydrated(page);
    expect(await sidebar()).toContain('1 of 8 lessons');
    expect(await page.getByLabel('I have finished this lesson').isChecked()).toBe(true);
    expect(await challenge.innerText()).toContain('You solved this challenge before.');
    const tick = page.locator('nav.sidebar a[href="/lessons/scenario-1-blocked/"] .pt-progress-mark');
    expect(await tick.innerText()).toContain('✓');
    await screenshot(page, 'progress-sidebar');

    // a prediction answered
    await page.goto(`${base}/lessons/why-a-blocked-port-hides/`);
    await hydrated(page);
    const predict = page.getByRole('region', { name: 'Predict the verdict' });
    await predict.getByLabel(/Refused/).check();
    // choosing is not answering: the prediction counts once it is checked
    await predict.getByRole('button', { name: 'Check' }).click();
    await predict.getByRole('status').waitFor();

    await page.goto(`${base}/`);
    await hydrated(page);
    expect(await counts()).toContain('1 of 8 lessons finished');
    expect(await counts()).toContain('1 of 2 challenges solved');
    expect(await counts()).toContain('1 predictions answered');
    await screenshot(page, 'progress-home');

    // export, reset, import
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export to a file' }).click();
    const file = await (await download).path();
    const exported = readFileSync(file, 'utf8');
    expect(JSON.parse(exported)).toMatchObject({ kind: 'porttrace-progress', version: 1 });

    await page.getByRole('button', { name: 'Reset my progress' }).click();
    await page.getByRole('button', { name: 'Really erase all progress?' }).click();
    await expect.poll(counts).toContain('0 of 8 lessons finished');
    await page.reload();
    await hydrated(page);
    expect(await counts()).toContain('0 of 8 lessons finished');
    expect(await counts()).toContain('0 predictions answered');

    await page.getByLabel('Import from a file').setInputFiles({
      name: 'progress.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported),
    });
    await expect.poll(counts).toContain('1 of 8 lessons finished');
    await page.getByLabel('Import from a file').setInputFiles({
      name: 'bad.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"kind":"porttrace-progress","version":1,"lessons":{"x":"<img src=x onerror=alert(1)>"}}'),
    });
    await expect.poll(() => page.getByRole('status').last().innerText()).toContain('Could not import bad.json');
    expect(await counts()).toContain('1 of 8 lessons finished');
    expect(await page.locator('img[src=x]').count()).toBe(0);
  });

  test('practice results per pattern raise the level and show on the home page', async () => {
    await clearProgress();
    for (const seed of [11, 12]) {
      const request = { seed, level: 1, pattern: 'open' } as const;
      const key = keyOf(request);
      await page.goto(`${base}/practice/?seed=${seed}&level=1&pattern=open`);
      await hydrated(page);
      await answer('connected', key.where, proofFrames(key));
      await grade().waitFor();
    }
    await expect.poll(() => page.locator('.level').innerText()).toContain('Your level: 2 of 4');
    await page.goto(`${base}/`);
    await hydrated(page);
    expect(await counts()).toContain('2 of 2 practice exercises right');
    expect(await counts()).toContain('practice level 2');
  });
});

describe('reference pages', () => {
  test('the glossary defines every term the issue lists', async () => {
    await page.goto(`${base}/reference/glossary/`);
    await hydrated(page);
    for (const term of [
      'ISN',
      'RTO and retry schedules',
      'SYN/ACK',
      'RST',
      'Half-open',
      'Checksum offload',
      'MSS',
      'Window scaling',
      'ICMP unreachable codes',
      'nmap states',
      'Zeek conn_state and history',
      'PortQry: LISTENING, NOT LISTENING, FILTERED',
      'Test-NetConnection: TcpTestSucceeded',
    ])
      expect(await page.getByRole('heading', { name: term, exact: true }).count(), term).toBe(1);
    for (const state of ['open|filtered', 'unfiltered', 'RSTOS0', 'NOT LISTENING', 'TcpTestSucceeded : True'])
      expect(await page.getByText(state).count(), state).toBeGreaterThan(0);
  });

  test("every lesson's link into the glossary lands on a term", async () => {
    const targets = new Set<string>();
    for (const slug of [
      'why-a-blocked-port-hides',
      'taking-a-trace',
      'scenario-1-blocked',
      'scenario-3-success',
      'beyond-the-article',
    ]) {
      await page.goto(`${base}/lessons/${slug}/`);
      const links = await page
        .locator('main a[href*="reference/glossary/#"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      expect(links.length, slug).toBeGreaterThan(0);
      for (const link of links) targets.add(link.split('#')[1]!);
    }
    await page.goto(`${base}/reference/glossary/`);
    for (const id of targets) expect(await page.locator(`h2[id="${id}"]`).count(), id).toBe(1);
    expect(targets.size).toBeGreaterThanOrEqual(10);
  });

  test('the cheat sheet has print styles and prints on one or two pages', async () => {
    await page.goto(`${base}/reference/cheat-sheet/`);
    await hydrated(page);
    for (const text of [
      'netsh trace start',
      'pktmon',
      'tcpdump',
      'dumpcap',
      'tcp.analysis.retransmission',
      'Get-NetTCPSetting',
    ])
      expect(await page.getByText(text).count(), text).toBeGreaterThan(0);
    expect(await page.locator('.sidebar-pane').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.sidebar-pane').isVisible()).toBe(false);
    expect(await page.locator('header.header').isVisible()).toBe(false);
    await screenshot(page, 'cheat-sheet-print');
    const pdf = await page.pdf({ format: 'A4' });
    // each page of a PDF is one "/Type /Page" object ("/Type /Pages" is their parent)
    const pages = (
      Buffer.from(pdf)
        .toString('latin1')
        .match(/\/Type\s*\/Page(?!s)/g) ?? []
    ).length;
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(2);
    await page.emulateMedia({ media: 'screen' });
  });

  test('from here to Wireshark names Expert Information, Conversations, Follow TCP Stream and coloring rules', async () => {
    await page.goto(`${base}/reference/wireshark/`);
    for (const heading of [
      'Verdict evidence → Expert Information',
      'Attempts → Statistics → Conversations',
      'One attempt → Follow TCP Stream',
      'The colours → coloring rules',
    ])
      expect(await page.getByRole('heading', { name: heading }).count(), heading).toBe(1);
  });
});
