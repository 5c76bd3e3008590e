// Running tshark, the independent oracle, on files the lab code wrote.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tshark(args: string[]): string {
  return execFileSync('tshark', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** One row per frame, the fields tab-separated, as `tshark -T fields` prints them. */
export function tsharkFields(file: string, fields: string[], extra: string[] = []): string[][] {
  const args = ['-r', file, '-T', 'fields', ...extra];
  for (const field of fields) args.push('-e', field);
  return tshark(args)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split('\t'));
}

/** Each frame's bytes as tshark dumps them (frame data source only, no ASCII column). */
export function tsharkHexdumps(file: string, extra: string[] = []): string[] {
  const text = tshark(['-r', file, '-q', '--hexdump', 'frames', '--hexdump', 'noascii', ...extra, '-P']);
  const frames: string[] = [];
  let current: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^[0-9a-f]{4,}\s+((?:[0-9a-f]{2}\s?)+)/.exec(line);
    if (match) current.push(match[1].replace(/\s+/g, ''));
    else if (line.trim() === '' && current.length > 0) {
      frames.push(current.join(''));
      current = [];
    }
  }
  if (current.length > 0) frames.push(current.join(''));
  return frames;
}

/** A scratch folder removed by the returned function. */
export function scratch(): { dir: string; write(name: string, bytes: Uint8Array): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'porttrace-lab-'));
  return {
    dir,
    write(name, bytes) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
