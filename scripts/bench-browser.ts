// Browser benchmark: in Debian's Chromium against the built site,
//  - JavaScript each page loads (gzip-compressed size, as a server would send it),
//  - the lab with the ~100 MB benchmark capture: time from choosing the file to the first
//    verdicts, and the longest main-thread task meanwhile (the page must stay responsive).
// Run: npm run bench:browser (builds the site first unless PORTTRACE_SKIP_BUILD=1).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, hydrated } from '../tests/e2e/browser.ts';
import { serveStatic } from '../tests/e2e/static-server.ts';

const PAGES = ['/', '/lessons/taking-a-trace/', '/lessons/scenario-1-blocked/', '/lessons/both-sides/', '/lab/'];

function benchCapture(): string | undefined {
  const dir = 'bench-data';
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir).find((f) => /capture-bench-100mb\.pcapng$/.test(f));
  return file ? join(dir, file) : undefined;
}

async function main() {
  if (process.env.PORTTRACE_SKIP_BUILD !== '1') {
    // NODE_ENV: vitest sets it to 'test', which would make this a development build (Starlight,
    // for one, then leaves search out); the browser tests must see what `npm run build` makes.
    execFileSync('npx', ['astro', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production', ASTRO_TELEMETRY_DISABLED: '1' } });
  }
  const { url, server } = await serveStatic('dist');
  const browser = await launch();
  const results: Record<string, unknown> = {};
  try {
    console.log('JavaScript loaded per page (gzip-compressed):');
    for (const path of PAGES) {
      const page = await browser.newPage();
      // the page's own scripts, and the engine Worker's (loaded once per page, off the main thread)
      const bodies: Array<Promise<{ kind: string; body: Buffer | null }>> = [];
      page.on('response', (r) => {
        if (r.request().resourceType() === 'script' || r.url().endsWith('.js')) {
          // Starlight's search UI (Pagefind's, in ui-core) is imported once the page is idle
          const kind = r.url().includes('.worker') ? 'worker' : r.url().includes('/ui-core.') ? 'search' : 'page';
          bodies.push(r.body().then((body) => ({ kind, body })).catch(() => ({ kind, body: null })));
        }
      });
      await page.goto(`${url}${path}`, { waitUntil: 'networkidle' });
      await hydrated(page);
      const loaded = (await Promise.all(bodies)).filter((b) => b.body !== null);
      const gz = (kind: string) => loaded.filter((b) => b.kind === kind).reduce((n, b) => n + gzipSync(b.body!).length, 0);
      const main = gz('page');
      const search = gz('search');
      const worker = gz('worker');
      console.log(
        `  ${path.padEnd(34)} main thread ${(main / 1024).toFixed(1).padStart(6)} KB` +
          (search ? `, + Starlight's search UI once idle ${(search / 1024).toFixed(1)} KB` : '') +
          (worker ? `, engine Worker ${(worker / 1024).toFixed(1)} KB` : ''),
      );
      results[`js:${path}`] = main;
      await page.close();
    }

    const capture = benchCapture();
    if (!capture) {
      console.log('\nlab: no bench-data/capture-bench-100mb.pcapng — run `npm run bench:capture` first to generate it');
    } else {
      const runs: Array<{ seconds: number; longestTask: number }> = [];
      for (let run = 0; run < 3; run++) {
        const page = await browser.newPage();
        await page.goto(`${url}/lab/`);
        await hydrated(page);
        await page.evaluate(() => {
          (window as unknown as { __longest: number }).__longest = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
              const w = window as unknown as { __longest: number };
              w.__longest = Math.max(w.__longest, e.duration);
            }
          }).observe({ type: 'longtask', buffered: false });
        });
        const started = Date.now();
        await page.getByLabel('Open capture').setInputFiles(capture);
        await page.getByRole('region', { name: 'Verdicts' }).getByRole('listitem').first().waitFor({ timeout: 180_000 });
        const seconds = (Date.now() - started) / 1000;
        const longestTask = await page.evaluate(() => (window as unknown as { __longest: number }).__longest);
        runs.push({ seconds, longestTask });
        await page.close();
      }
      runs.sort((a, b) => a.seconds - b.seconds);
      const median = runs[1];
      const size = statSync(capture).size / 1e6;
      console.log(`\nlab, ${size.toFixed(1)} MB capture, choose file → first verdicts: median ${median.seconds.toFixed(2)} s of 3 (${runs.map((r) => r.seconds.toFixed(2)).join(', ')})`);
      console.log(`lab, longest main-thread task meanwhile: ${Math.max(...runs.map((r) => r.longestTask)).toFixed(0)} ms (0 = none over 50 ms)`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
