// A strict Content-Security-Policy for the static site, as a <meta> tag in every built page, and
// as HTTP headers for the host to send (dist/_headers, dist/nginx-csp.conf), which can say more.
//
// Scripts run only from this site's own files, or inline when their exact text was hashed here
// at build time; no inline event handler, no eval, nothing from another origin. Astro's own CSP
// support (security.csp) hashes only the scripts Astro bundles, not the inline ones Starlight
// ships (theme, sidebar, search shortcut), so this integration hashes what actually ends up in
// each page after the build. Styles may be inline (Starlight and Svelte set style attributes);
// a style cannot run code.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

export function policyFor(html) {
  const hashes = new Set();
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    if (match[1].length === 0) continue;
    hashes.add(`'sha256-${createHash('sha256').update(match[1]).digest('base64')}'`);
  }
  return [
    "default-src 'self'",
    `script-src 'self' ${[...hashes].join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join('; ');
}

async function* htmlFiles(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* htmlFiles(path);
    else if (entry.name.endsWith('.html')) yield path;
  }
}

/**
 * What the page's meta tag cannot say: a policy delivered as an HTTP header may also forbid
 * framing the site (clickjacking), and applies to the engine Worker, whose policy comes from
 * its own script's response, never from the page.
 */
export const HEADER_ONLY = "frame-ancestors 'none'";

/** The policy of scripts that are not pages (the engine Worker): no inline script to hash. */
export const workerPolicy = () => `${policyFor('')}; ${HEADER_ONLY}`;

/** The URL path a built file is served at: "lab/index.html" → "/base/lab/". */
export function servedPath(relativeFile, base) {
  const folder = base.endsWith('/') ? base : `${base}/`;
  const path = relativeFile.split(sep).join('/');
  return folder + (path === 'index.html' ? '' : path.replace(/(^|\/)index\.html$/, '$1'));
}

/**
 * `_headers` (Netlify, Cloudflare Pages and hosts like them): each page's policy with
 * frame-ancestors, the Worker's (under _astro/) and the headers every response gets.
 */
export function headersFile(pages, base) {
  const folder = base.endsWith('/') ? base : `${base}/`;
  const lines = [
    '# Written by integrations/csp.mjs at build time (README, "Deploy"). Do not edit: rebuild.',
    `${folder}*`,
    '  X-Content-Type-Options: nosniff',
    '  Referrer-Policy: no-referrer',
    `${folder}_astro/*`,
    `  Content-Security-Policy: ${workerPolicy()}`,
  ];
  for (const { path, policy } of pages) lines.push(path, `  Content-Security-Policy: ${policy}; ${HEADER_ONLY}`);
  return lines.join('\n') + '\n';
}

/**
 * The same for nginx, to include in the `server` block that serves the site. Pages are matched
 * as the files `index` resolves them to, since an add_header in one location is not carried
 * into the location an internal redirect lands in.
 */
export function nginxFile(pages, base) {
  const folder = base.endsWith('/') ? base : `${base}/`;
  const quote = (text) => `"${text.replaceAll('"', '\\"')}"`;
  const lines = [
    '# Written by integrations/csp.mjs at build time (README, "Deploy"): include it in the server {}',
    '# block that serves the built site. Do not edit: rebuild.',
    `location ^~ ${folder}_astro/ {`,
    `  add_header Content-Security-Policy ${quote(workerPolicy())} always;`,
    '  add_header X-Content-Type-Options nosniff always;',
    '}',
  ];
  for (const { path, policy } of pages) {
    const file = path.endsWith('/') ? `${path}index.html` : path;
    lines.push(
      `location = ${file} {`,
      `  add_header Content-Security-Policy ${quote(`${policy}; ${HEADER_ONLY}`)} always;`,
      '  add_header X-Content-Type-Options nosniff always;',
      '  add_header Referrer-Policy no-referrer always;',
      '}',
    );
  }
  return lines.join('\n') + '\n';
}

export default function csp() {
  let base = '/';
  return {
    name: 'porttrace-csp',
    hooks: {
      'astro:config:done': ({ config }) => {
        base = config.base;
      },
      'astro:build:done': async ({ dir, logger }) => {
        const root = fileURLToPath(dir);
        const pages = [];
        for await (const file of htmlFiles(root)) {
          const html = await readFile(file, 'utf8');
          const policy = policyFor(html);
          const meta = `<meta http-equiv="content-security-policy" content="${policy}">`;
          // first in <head>, so the policy covers every script that follows
          await writeFile(file, html.replace(/<head>/i, `<head>${meta}`));
          pages.push({ path: servedPath(relative(root, file), base), policy });
        }
        pages.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        await writeFile(join(root, '_headers'), headersFile(pages, base));
        await writeFile(join(root, 'nginx-csp.conf'), nginxFile(pages, base));
        logger.info(`Content-Security-Policy written into ${pages.length} pages, _headers and nginx-csp.conf`);
      },
    },
  };
}
