// The site built for a public address and a sub-folder (README, "Deploy"): PORTTRACE_SITE and
// PORTTRACE_BASE reach every canonical link and og:url, no link leaves the sub-folder, the
// build's _headers and nginx-csp.conf carry each page's policy with frame-ancestors, and in
// Chromium the lessons' traces and the engine Worker load from under the sub-folder.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hydrated, launch } from './browser.ts';
import { serveStatic } from './static-server.ts';

const SITE = 'https://porttrace.example.org';
const BASE = '/porttrace/';
/** Served from here, so the site's files are at /porttrace/… */
const ROOT = 'test-output/site-base';
const OUT = join(ROOT, 'porttrace');

function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => join(e.parentPath, e.name));
}

const servedAt = (file: string) => BASE + relative(OUT, file).replace(/(^|\/)index\.html$/, '$1');
const metaPolicy = (html: string) => /<meta http-equiv="content-security-policy" content="([^"]*)">/.exec(html)?.[1];

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  if (process.env.PORTTRACE_SKIP_BUILD !== '1' || !existsSync(OUT)) {
    // Vitest copies its import.meta.env (BASE_URL=/ among them) into process.env, and the
    // build's prerendering would read those instead of the configured base: leave them out.
    const env: Record<string, string | undefined> = { ...process.env };
    for (const key of ['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']) delete env[key];
    execFileSync('npx', ['astro', 'build', '--silent', '--outDir', OUT], {
      stdio: 'inherit',
      env: {
        ...env,
        NODE_ENV: 'production',
        ASTRO_TELEMETRY_DISABLED: '1',
        PORTTRACE_SITE: SITE,
        PORTTRACE_BASE: BASE,
      },
    });
  }
  ({ url, server } = await serveStatic(ROOT));
  browser = await launch();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('a build for a sub-folder of a public site', () => {
  test('every page names its public address as canonical link and og:url', () => {
    const all = pages(OUT).filter((f) => !f.endsWith('404.html'));
    expect(all.length).toBeGreaterThan(5);
    for (const file of all) {
      const html = readFileSync(file, 'utf8');
      const address = SITE + servedAt(file);
      expect(html, file).toContain(`<link rel="canonical" href="${address}"/>`);
      expect(html, file).toContain(`<meta property="og:url" content="${address}"/>`);
      expect(html, file).not.toContain('localhost');
    }
  });

  test('no link, script or trace on any page points outside the sub-folder', () => {
    for (const file of pages(OUT)) {
      const html = readFileSync(file, 'utf8');
      const outside = [...html.matchAll(/\b(?:href|src|action|trace|client|server)="(\/[^"]*)"/g)]
        .map((m) => m[1])
        .filter((path) => !path.startsWith(BASE) && !path.startsWith('//'));
      expect(outside, file).toEqual([]);
    }
  });

  test('_headers and nginx-csp.conf give each page its own policy plus frame-ancestors, and the Worker one', () => {
    const headers = readFileSync(join(OUT, '_headers'), 'utf8');
    const nginx = readFileSync(join(OUT, 'nginx-csp.conf'), 'utf8');
    for (const file of pages(OUT)) {
      const policy = metaPolicy(readFileSync(file, 'utf8'));
      expect(policy, file).toBeDefined();
      const path = servedAt(file);
      expect(headers, file).toContain(`${path}\n  Content-Security-Policy: ${policy}; frame-ancestors 'none'\n`);
      const location = path.endsWith('/') ? `${path}index.html` : path;
      expect(nginx, file).toContain(
        `location = ${location} {\n  add_header Content-Security-Policy "${policy}; frame-ancestors 'none'" always;`,
      );
    }
    expect(headers).toMatch(
      /^\/porttrace\/_astro\/\*\n {2}Content-Security-Policy: default-src 'self'; script-src 'self';.*frame-ancestors 'none'$/m,
    );
    expect(nginx).toContain('location ^~ /porttrace/_astro/ {');
  });

  test('in Chromium a lesson loads its trace and the engine Worker from the sub-folder', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}${BASE}lessons/scenario-2-nothing-listening/`);
    await hydrated(page);
    const grid = page.getByRole('grid', { name: 'Packets' }).first();
    await grid.locator('[role=row]', { hasText: 'RST' }).first().waitFor();
    expect(requests).toContain(`${BASE}traces/closed-rst-client.pcapng`);
    expect(requests.some((p) => p.startsWith(`${BASE}_astro/`) && p.includes('worker'))).toBe(true);
    expect(requests.filter((p) => !p.startsWith(BASE))).toEqual([]);
    const download = await page.getByRole('link', { name: 'Download' }).first().getAttribute('href');
    expect(download).toBe(`${BASE}traces/closed-rst-client.pcapng`);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('from the home page, the first lesson and the lab are inside the sub-folder', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}${BASE}`);
    await page.getByRole('link', { name: 'Start with lesson 1' }).click();
    await page.waitForURL(`${url}${BASE}lessons/why-a-blocked-port-hides/`);
    await page.getByRole('link', { name: 'Analyze your own capture' }).first().click();
    await page.waitForURL(`${url}${BASE}lab/`);
    await page.close();
  });
});
