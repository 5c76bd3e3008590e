// A fake terminal for running CLI commands in-process: it records what they print and serves
// the files they open, from memory or from disk.
import { readFileSync } from 'node:fs';
import type { CliIO } from '../../src/cli/io.ts';

export interface FakeIO extends CliIO {
  /** All that was printed on stdout so far. */
  readonly stdout: string;
  /** All that was printed on stderr so far. */
  readonly stderr: string;
}

export interface FakeIOOptions {
  /** Serve these files, by the path the command was given, and no others; without it, read the disk. */
  files?: Record<string, Uint8Array>;
  /** Hand a file over in chunks of this many bytes instead of all at once. */
  chunkSize?: number;
}

export function fakeIO({ files, chunkSize }: FakeIOOptions = {}): FakeIO {
  let stdout = '';
  let stderr = '';
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    out(text) {
      stdout += text;
    },
    err(text) {
      stderr += text;
    },
    openFile(path) {
      const bytes = files ? files[path] : new Uint8Array(readFileSync(path));
      // The message Node gives for a missing file, so errors read the same either way.
      if (!bytes) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      async function* chunks() {
        if (!chunkSize) yield bytes;
        else for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
      }
      return { size: bytes.length, chunks: chunks() };
    },
  };
}
