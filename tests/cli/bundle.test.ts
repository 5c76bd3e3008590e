// bin/porttrace.mjs runs the esbuild bundle of the CLI, never a stale one: a copy of the
// launcher, the build script and the sources in a temporary folder shows the bundle being
// built when missing, rebuilt when a source changes (the change is in the output), and a
// clear error when it cannot be rebuilt.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'porttrace-bundle-'));
for (const folder of ['bin', 'src/cli', 'src/lib']) cpSync(join(repo, folder), join(copy, folder), { recursive: true });
cpSync(join(repo, 'scripts', 'build-cli.mjs'), join(copy, 'scripts', 'build-cli.mjs'));
cpSync(join(repo, 'package.json'), join(copy, 'package.json'));
symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));

const run = (...args: string[]) =>
  spawnSync(process.execPath, [join(copy, 'bin', 'porttrace.mjs'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('the CLI bundle', () => {
  it('is built when missing, then used', () => {
    const first = run('check-filter', 'tcp');
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('valid\n');
    const manifest = JSON.parse(readFileSync(join(copy, 'build', 'cli', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.inputs)).toContain('src/cli/main.ts');
    const again = run('check-filter', 'tcp');
    expect(again.stdout).toBe('valid\n');
    expect(JSON.parse(readFileSync(join(copy, 'build', 'cli', 'manifest.json'), 'utf8')).builtAt).toBe(
      manifest.builtAt,
    );
  });

  it('is rebuilt when a source changed, so the change shows', () => {
    const source = join(copy, 'src', 'cli', 'commands', 'check-filter.ts');
    writeFileSync(source, readFileSync(source, 'utf8').replace("io.out('valid\\n')", "io.out('valid (edited)\\n')"));
    expect(run('check-filter', 'tcp').stdout).toBe('valid (edited)\n');
  });

  it('is rebuilt when the bundle is not the file the build wrote', () => {
    const bundle = join(copy, 'build', 'cli', 'porttrace.mjs');
    writeFileSync(bundle, "export async function main() { process.stdout.write('tampered\\n'); return 0; }\n");
    expect(run('check-filter', 'tcp').stdout).toBe('valid (edited)\n');
  });

  it('says why, exit 2, when it is stale and cannot be rebuilt', () => {
    writeFileSync(join(copy, 'src', 'cli', 'main.ts'), 'export const broken = ;\n');
    const result = run('check-filter', 'tcp');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^porttrace: src\/cli\/main\.ts changed since the CLI was bundled, and rebuilding it failed/,
    );
  });
});
