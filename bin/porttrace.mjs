#!/usr/bin/env node
// Runs the CLI from its bundle (build/cli/porttrace.mjs, made by scripts/build-cli.mjs when
// `npm install` runs `prepare`). The bundle is used only if it is the file the build wrote and
// no source it was built from has changed since; otherwise it is rebuilt first, or, without
// esbuild to rebuild it, the run stops and says why. A stale CLI is never run in silence.
import { readFileSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildCli, bundlePath, manifestPath, root, sha256 } from '../scripts/build-cli.mjs';

/** Why the bundle cannot be used as it is, or undefined when it can. */
function staleness() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return 'there is no CLI bundle yet';
  }
  try {
    // Like the sources: hashed only when written to since the build.
    if (statSync(bundlePath).mtimeMs > manifest.builtAt && sha256(readFileSync(bundlePath)) !== manifest.bundle)
      return 'the CLI bundle is not the one last built';
  } catch {
    return 'the CLI bundle is missing';
  }
  for (const [input, hash] of Object.entries(manifest.inputs)) {
    // Not path.join: a hundred calls of it cost the launcher 7 MB of resident memory (measured with /usr/bin/time).
    const path = `${root}/${input}`;
    try {
      // Hashing only what was touched since the build keeps the check to a few milliseconds.
      if (statSync(path).mtimeMs > manifest.builtAt && sha256(readFileSync(path)) !== hash)
        return `${input} changed since the CLI was bundled`;
    } catch {
      return `${input} is gone since the CLI was bundled`;
    }
  }
  return undefined;
}

const reason = staleness();
if (reason !== undefined) {
  try {
    await buildCli();
  } catch (problem) {
    const detail = problem instanceof Error ? problem.message.split('\n')[0] : String(problem);
    process.stderr.write(`porttrace: ${reason}, and rebuilding it failed (${detail}); run npm install\n`);
    process.exit(2);
  }
}
const { main } = await import(pathToFileURL(bundlePath).href);
process.exitCode = await main(process.argv.slice(2));
