// Bundles the CLI (src/cli/main.ts and the src/lib it imports) into one ES module with esbuild,
// so `porttrace` starts without compiling TypeScript on every run. Runs from `npm install`
// (the `prepare` script) and again from bin/porttrace.mjs whenever a source changed since.
//
// Beside the bundle goes a manifest: every input file with the SHA-256 of its text, and the
// bundle's own hash. bin/porttrace.mjs checks it before each run, so a bundle older than its
// sources, or one that is not the file this script wrote, is never used.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = join(root, 'build', 'cli', 'porttrace.mjs');
export const manifestPath = join(root, 'build', 'cli', 'manifest.json');

/**
 * Loaded only when something is hashed: node:crypto costs the launcher 9 MB of resident memory
 * and most runs hash nothing (see bin/porttrace.mjs).
 */
export const sha256 = (bytes) =>
  process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');

export async function buildCli() {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(root, 'src', 'cli', 'main.ts')],
    // The metafile names inputs relative to the working directory: make that the root, whatever
    // folder the command was started from.
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: bundlePath,
  });
  const code = result.outputFiles[0].contents;
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = resolve(root, input);
    inputs[relative(root, path)] = sha256(readFileSync(path));
  }
  mkdirSync(dirname(bundlePath), { recursive: true });
  // Written under a temporary name and renamed, so a run that starts meanwhile never reads half a file.
  writeFileSync(bundlePath + `.${process.pid}.tmp`, code);
  renameSync(bundlePath + `.${process.pid}.tmp`, bundlePath);
  const manifest = { builtAt: Date.now(), bundle: sha256(code), inputs };
  writeFileSync(manifestPath + `.${process.pid}.tmp`, JSON.stringify(manifest, null, 1) + '\n');
  renameSync(manifestPath + `.${process.pid}.tmp`, manifestPath);
  return manifest;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const manifest = await buildCli();
  console.log(
    `porttrace CLI bundled: ${relative(root, bundlePath)} from ${Object.keys(manifest.inputs).length} source files`,
  );
}
