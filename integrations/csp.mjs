// A strict Content-Security-Policy for the static site, as a <meta> tag in every built page.
//
// Scripts run only from this site's own files, or inline when their exact text was hashed here
// at build time; no inline event handler, no eval, nothing from another origin. Astro's own CSP
// support (security.csp) hashes only the scripts Astro bundles, not the inline ones Starlight
// ships (theme, sidebar, search shortcut), so this integration hashes what actually ends up in
// each page after the build. Styles may be inline (Starlight and Svelte set style attributes);
// a style cannot run code.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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

export default function csp() {
  return {
    name: 'porttrace-csp',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        let pages = 0;
        for await (const file of htmlFiles(fileURLToPath(dir))) {
          const html = await readFile(file, 'utf8');
          const meta = `<meta http-equiv="content-security-policy" content="${policyFor(html)}">`;
          // first in <head>, so the policy covers every script that follows
          await writeFile(file, html.replace(/<head>/i, `<head>${meta}`));
          pages++;
        }
        logger.info(`Content-Security-Policy written into ${pages} pages`);
      },
    },
  };
}
