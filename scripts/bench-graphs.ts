// Graph benchmark, in Debian's Chromium: the I/O graph drawn by our Svelte SVG component
// (src/components/analyzer/IoGraph.svelte) against uPlot (a small canvas chart library), on
//  - the lab's case: three lines of at most MAX_BINS (4,000) numbers, binned in the Worker;
//  - 1,000,000 points in one line (what a page would draw if it plotted every packet);
// each from a scratch page this script bundles with esbuild: bundle size (minified, gzip) and
// main-thread time (the sum of the renderer main thread's tasks, from Chromium's own trace,
// from the call that draws to the frame after the lines are on screen), median of RUNS.
// Then the lab itself on bench-data/tiny-1m.pcap (`npx tsx scripts/bench-scale-data.ts`):
// the I/O graph of 1,000,000 packets, click → drawn, and the main thread's time meanwhile.
//
// uPlot is not a dependency of the site: the script installs it into bench-data/uplot/ with npm
// when it is missing (one package, no dependencies of its own).
// Run: npx tsx scripts/bench-graphs.ts   (PORTTRACE_SKIP_BUILD=1: use the dist/ already built;
// PORTTRACE_BENCH_RUNS: runs per case, default 5; PORTTRACE_SKIP_LAB=1: scratch pages only;
// PORTTRACE_SKIP_SCRATCH=1: the lab only)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { compile } from 'svelte/compiler';
import type { Browser, Page } from 'playwright-core';
import { hydrated, launch } from '../tests/e2e/browser.ts';
import { serveStatic } from '../tests/e2e/static-server.ts';
import { buildSite } from './bench-browser.ts';

const RUNS = Math.max(1, Number(process.env.PORTTRACE_BENCH_RUNS) || 5);
// The scratch pages live in a temporary folder (bundles in the repository would be type-checked).
const SCRATCH = mkdtempSync(join(tmpdir(), 'porttrace-graphs-'));
const UPLOT_DIR = resolve('bench-data/uplot');
const UPLOT_VERSION = '1.6.32';

/** uPlot from npm into bench-data/uplot (not the project's node_modules: the site does not use it). */
function uplotPackage(): string {
  const dir = join(UPLOT_DIR, 'node_modules/uplot');
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(UPLOT_DIR, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--prefix', UPLOT_DIR, '--no-save', '--no-audit', '--no-fund', `uplot@${UPLOT_VERSION}`],
      {
        stdio: 'inherit',
      },
    );
  }
  return dir;
}

/** Compiles .svelte files for esbuild, as the site's build does (client code, CSS injected). */
const sveltePlugin: Plugin = {
  name: 'svelte',
  setup(b) {
    b.onLoad({ filter: /\.svelte$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const { js } = compile(source, { filename: args.path, generate: 'client', css: 'injected', dev: false });
      return { contents: js.code, loader: 'js', resolveDir: resolve(args.path, '..') };
    });
  },
};

// Each scratch page exposes window.draw(graph): resolves after the frame that shows the lines.
const SVG_ENTRY = `
import { mount } from 'svelte';
import IoGraph from '${resolve('src/components/analyzer/IoGraph.svelte')}';
const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
window.draw = async (graph) => {
  const target = document.getElementById('chart');
  const view = { engine: { ioGraph: async () => graph } };
  mount(IoGraph, { target, props: { view, initial: graph.lines.map((l) => l.filter), initialInterval: graph.interval } });
  while (target.querySelectorAll('polyline.series').length < graph.lines.length) await new Promise((r) => setTimeout(r));
  await painted();
};`;

const UPLOT_ENTRY = `
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r)));
const COLOURS = ['#0969da', '#1a7f37', '#bc4c00', '#cf222e'];
window.draw = async (graph) => {
  const xs = Array.from({ length: graph.bins }, (_, i) => i * graph.interval);
  const options = {
    width: 720,
    height: 220,
    series: [{}, ...graph.lines.map((l, i) => ({ label: l.filter, stroke: COLOURS[i], width: 1.8 }))],
  };
  new uPlot(options, [xs, ...graph.lines.map((l) => l.values)], document.getElementById('chart'));
  await painted();
};`;

interface Bundle {
  name: string;
  dir: string;
  js: number;
  gz: number;
}

async function bundle(name: string, entry: string, nodePaths: string[], external: string[] = []): Promise<Bundle> {
  const dir = join(SCRATCH, name);
  mkdirSync(dir, { recursive: true });
  const result = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    conditions: ['svelte', 'browser', 'production'],
    nodePaths,
    external,
    plugins: [sveltePlugin],
    outdir: dir,
    entryNames: 'bench',
    write: true,
    metafile: true,
    logLevel: 'warning',
  });
  let js = 0;
  let gz = 0;
  for (const out of Object.keys(result.metafile.outputs)) {
    const bytes = readFileSync(out);
    js += bytes.length;
    gz += gzipSync(bytes).length;
  }
  const css = existsSync(join(dir, 'bench.css')) ? '<link rel="stylesheet" href="bench.css">' : '';
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><meta charset="utf-8">${css}</head><body><div id="chart" style="width:760px"></div><script type="module" src="bench.js"></script></body></html>`,
  );
  return { name, dir, js, gz };
}

/** Three lines (SYN, SYN/ACK, RST) of `bins` values, or one line of `bins`: deterministic noise on a slow wave. */
function graphOf(bins: number, lines: number) {
  let seed = 0x2545f491;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const filters = [
    'tcp.flags.syn==1 && tcp.flags.ack==0',
    'tcp.flags.syn==1 && tcp.flags.ack==1',
    'tcp.flags.reset==1',
  ];
  return {
    interval: 0.01,
    bins,
    unit: 'packets',
    lines: filters.slice(0, lines).map((filter, k) => {
      const values = Array.from({ length: bins }, (_, i) =>
        Math.round((40 + 30 * Math.sin(i / 200)) / (k + 1) + 20 * random()),
      );
      return { filter, values, total: values.reduce((a, b) => a + b, 0) };
    }),
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

/** Milliseconds the page's main thread spent in tasks while `action` ran, from Chromium's trace. */
async function mainThreadMs(browser: Browser, page: Page, action: () => Promise<void>): Promise<number> {
  // 'toplevel' only: each task the thread ran, no detail (a detailed trace of a million-point
  // SVG is hundreds of megabytes).
  await browser.startTracing(page, { categories: ['toplevel'] });
  await action();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  const main = new Set(
    trace.traceEvents
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const tasks = trace.traceEvents
    .filter((e) => e.ph === 'X' && /RunTask$/.test(e.name) && main.has(`${e.pid}:${e.tid}`))
    .sort((a, b) => a.ts - b.ts);
  // Per thread, tasks not inside an earlier one (a nested run loop's tasks count once).
  const byThread = new Map<string, { busy: number; end: number }>();
  for (const e of tasks) {
    const key = `${e.pid}:${e.tid}`;
    const thread = byThread.get(key) ?? { busy: 0, end: 0 };
    const end = e.ts + (e.dur ?? 0);
    if (e.ts >= thread.end) {
      thread.busy += e.dur ?? 0;
      thread.end = end;
    } else if (end > thread.end) {
      thread.busy += end - thread.end;
      thread.end = end;
    }
    byThread.set(key, thread);
  }
  // The page's renderer is the busiest main thread (others are idle frames of the browser's own).
  let total = 0;
  for (const { busy } of byThread.values()) total = Math.max(total, busy);
  return total / 1000;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (n: number) => n.toFixed(0);

async function scratchRuns(browser: Browser, url: string, bundles: Bundle[]) {
  const cases = [
    { name: '3 lines × 4,000 bins (the lab)', graph: graphOf(4000, 3) },
    { name: '1 line × 1,000,000 points', graph: graphOf(1_000_000, 1) },
  ];
  for (const c of cases) {
    console.log(`\n${c.name}:`);
    for (const b of bundles) {
      const busy: number[] = [];
      const wall: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const page = await browser.newPage();
        await page.goto(`${url}/${b.name}/index.html`);
        await page.waitForFunction(() => 'draw' in window);
        // The data is made in the page before the clock starts: only drawing is measured.
        await page.evaluate((graph) => ((window as unknown as { graph: unknown }).graph = graph), c.graph);
        let elapsed = 0;
        busy.push(
          await mainThreadMs(browser, page, async () => {
            elapsed = await page.evaluate(async () => {
              const w = window as unknown as { graph: unknown; draw: (g: unknown) => Promise<void> };
              const start = performance.now();
              await w.draw(w.graph);
              return performance.now() - start;
            });
          }),
        );
        wall.push(elapsed);
        await page.close();
      }
      console.log(
        `  ${b.name.padEnd(5)} main thread ${ms(median(busy)).padStart(5)} ms (runs: ${busy.map(ms).join(', ')}); ` +
          `call → painted ${ms(median(wall))} ms`,
      );
    }
  }
}

/** The lab's I/O graph of a capture: click → the three lines on screen, and main-thread time meanwhile. */
async function labIoGraph(browser: Browser, url: string, capture: string): Promise<{ drawn: number; busy: number }> {
  const page = await browser.newPage();
  await page.goto(`${url}/lab/`);
  await hydrated(page);
  await page.getByLabel('Open capture').setInputFiles(capture);
  await page.locator('section.verdicts li').first().waitFor({ timeout: 600_000 });
  await page.getByText('Conversations, streams, graphs and expert summary').click();
  await page.getByRole('region', { name: 'TCP conversations' }).waitFor({ timeout: 300_000 });
  await page.waitForTimeout(1000);
  const button = page.getByRole('group', { name: 'Analyzer views' }).getByRole('button', { name: 'I/O graph' });
  await button.waitFor();
  let drawn = 0;
  const busy = await mainThreadMs(browser, page, async () => {
    // Clicked and watched from inside the page, so nothing polls the thread being measured.
    drawn = await button.evaluate(
      (el) =>
        new Promise<number>((resolveDrawn) => {
          const start = performance.now();
          // No named function in here: tsx's helpers for them do not exist in the page.
          const observer = new MutationObserver(() => {
            if (document.querySelectorAll('svg.chart polyline.series').length < 3) return;
            observer.disconnect();
            requestAnimationFrame(() => setTimeout(() => resolveDrawn(performance.now() - start)));
          });
          observer.observe(document.body, { childList: true, subtree: true });
          (el as HTMLElement).click();
        }),
    );
  });
  await page.close();
  return { drawn, busy };
}

async function main() {
  const uplot = uplotPackage();
  const uplotVersion = (JSON.parse(readFileSync(join(uplot, 'package.json'), 'utf8')) as { version: string }).version;
  const bundles = [
    await bundle('svg', SVG_ENTRY, [resolve('node_modules')]),
    await bundle('uplot', UPLOT_ENTRY, [join(UPLOT_DIR, 'node_modules')]),
  ];
  // What the graph adds to a page of the site, whose islands already load the Svelte runtime.
  const own = await bundle('svg-own', SVG_ENTRY, [resolve('node_modules')], ['svelte', 'svelte/*']);
  console.log(
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}; ${RUNS} runs per case`,
  );
  console.log('Bundle of a page that draws the I/O graph, minified (JS + CSS):');
  for (const b of bundles) {
    const label =
      b.name === 'svg'
        ? 'IoGraph.svelte + the Svelte runtime it needs'
        : `uPlot ${uplotVersion} + a few lines to call it`;
    console.log(
      `  ${b.name.padEnd(5)} ${(b.js / 1024).toFixed(1)} KB, gzip ${(b.gz / 1024).toFixed(1)} KB  (${label})`,
    );
  }
  console.log(
    `  svg without the Svelte runtime (shared with every island of the site): ${(own.js / 1024).toFixed(1)} KB, gzip ${(own.gz / 1024).toFixed(1)} KB`,
  );

  const browser = await launch();
  const scratch = await serveStatic(SCRATCH);
  try {
    if (process.env.PORTTRACE_SKIP_SCRATCH !== '1') await scratchRuns(browser, scratch.url, bundles);
  } finally {
    scratch.server.close();
  }

  const capture = 'bench-data/tiny-1m.pcap';
  try {
    if (process.env.PORTTRACE_SKIP_LAB === '1') return;
    if (!existsSync(capture)) {
      console.log(`\nlab: no ${capture} — run \`npx tsx scripts/bench-scale-data.ts\` first`);
      return;
    }
    buildSite();
    const site = await serveStatic('dist');
    try {
      const runs: Array<{ drawn: number; busy: number }> = [];
      for (let run = 0; run < Math.min(RUNS, 3); run++) runs.push(await labIoGraph(browser, site.url, capture));
      console.log(`\nlab, ${capture} (1,000,000 packets), I/O graph of SYN, SYN/ACK and RST, interval chosen to fit:`);
      console.log(
        `  main-thread time from the click to the frame after the lines: median ${ms(median(runs.map((r) => r.busy)))} ms ` +
          `(runs: ${runs.map((r) => ms(r.busy)).join(', ')}); click → drawn (the Worker's binning included) ` +
          `median ${ms(median(runs.map((r) => r.drawn)))} ms (runs: ${runs.map((r) => ms(r.drawn)).join(', ')})`,
      );
    } finally {
      site.server.close();
    }
  } finally {
    await browser.close();
  }
}

try {
  await main();
} finally {
  rmSync(SCRATCH, { recursive: true, force: true });
}
