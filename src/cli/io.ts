// The CLI's only contact with Node: reading files and writing to the terminal. Commands take
// a CliIO so tests can run them in-process and capture what they print.
import { once } from 'node:events';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

export interface CliIO {
  out(text: string): void;
  /**
   * Resolves once what `out` was given has been handed to the reader, or at least to the OS
   * (stdout to a pipe buffers in Node until the reader catches up): a command that writes much
   * waits for it now and then, so its memory does not grow with its output. Absent: no waiting.
   */
  drained?(): Promise<void>;
  err(text: string): void;
  /**
   * The file's bytes as chunks, and its size: undefined when it is not known before reading (a
   * pipe, standard input: `-` or /dev/stdin), never 0 for a stream that has bytes. A directory
   * is an error. `windowBytes`: the command writes as it reads and holds one window of this many
   * bytes at a time (`packets`); without it, it holds the capture.
   */
  openFile(
    path: string,
    windowBytes?: number,
  ): { size: number | undefined; chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> };
  /**
   * Keeps the JavaScript heap's young generation at its first size, for a command that holds a
   * whole capture while it writes: V8 grows it with what survives its collections, and on a
   * 100 MB capture's --jsonl that growth was 36 MiB of the peak (195 MiB; 156 with it kept).
   * Not for `packets`, whose many short lines then cost 30% more time. Absent: nothing to do.
   */
  keepYoungGenerationSmall?(): void;
  /**
   * Frees now what the phase just finished let go of. A phase's working tables are typed arrays
   * outside the JavaScript heap, which V8 frees only when it collects its old generation, and a
   * heap that stays small rarely prompts that: on the 400k flood the TCP analysis's tables (about
   * 45 MiB) were still held in most runs while the verdicts allocated theirs, peaking at 205 MiB
   * instead of 160. Absent: nothing to do.
   */
  collectGarbage?(): void;
  /**
   * For a command that streams (`packets`), every few MiB it reads: `collectGarbage`, and once
   * V8's young generation has grown to YOUNG_GENERATION_CAP, no further growth. On 1M tiny
   * packets the young generation grew to 32 MiB and the garbage of the windows already written
   * stayed until V8 collected on its own: 120–128 MiB at the peak, 98–99 MiB with this, for 7 %
   * more time. Kept at its first size instead (`keepYoungGenerationSmall`), it cost 30 %. Absent:
   * nothing to do.
   */
  boundMemory?(): void;
}

// `porttrace packets big.pcap | head` closes the pipe early: that is the reader saying it has
// seen enough, not an error, so stop quietly instead of dying on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/**
 * An argument error: one line on stderr, as the README promises; the usage is one `--help` away
 * rather than printed under every mistake.
 */
export function argumentError(command: string, message: string): string {
  return `porttrace ${command}: ${message} (porttrace ${command} --help shows the usage)\n`;
}

export const nodeIO: CliIO = {
  out: (text) => void process.stdout.write(text),
  drained: () => (process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => {}) : Promise.resolve()),
  err: (text) => void process.stderr.write(text),
  keepYoungGenerationSmall: () => stopYoungGenerationGrowing(),
  collectGarbage: () => fullCollection()?.(),
  boundMemory() {
    fullCollection()?.();
    if (youngGenerationCapped) return;
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    if (young && young.space_size >= YOUNG_GENERATION_CAP) {
      stopYoungGenerationGrowing();
      youngGenerationCapped = true;
    }
  },
  openFile(path, windowBytes) {
    // Standard input is read from the process's own stream: /dev/stdin cannot be opened again
    // when it is a socket (what a parent process's pipe often is).
    if (path === '-' || path === '/dev/stdin') return { size: undefined, chunks: process.stdin };
    const stat = statSync(path);
    if (stat.isDirectory()) throw new Error('it is a directory, not a file');
    // A pipe's size is 0 whatever comes through it: taken as the file's, it ended every read at once.
    const size = stat.isFile() ? stat.size : undefined;
    // A window is read through a stream, which goes back to the event loop between reads: V8
    // frees collected buffers in tasks that run there, and read synchronously, `packets` on 1M
    // tiny packets peaked 25 MB higher.
    if (windowBytes !== undefined)
      return { size, chunks: createReadStream(path, { highWaterMark: windowBytes }) as AsyncIterable<Uint8Array> };
    return { size, chunks: readChunks(path, CHUNK_BYTES) };
  },
};

/** Keeps V8's young generation at the size it has: V8 reads the flag each time it would grow it. */
function stopYoungGenerationGrowing(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** The young generation's size past which `boundMemory` stops it growing (V8's own limit is 32 MiB). */
const YOUNG_GENERATION_CAP = 16 << 20;
let youngGenerationCapped = false;

let collector: (() => void) | null | undefined;

/**
 * V8's own collector, as `--expose-gc` gives it (a few milliseconds on the CLI's heap of about
 * 10 MB), or null where this Node does not hand it out.
 */
function fullCollection(): (() => void) | null {
  if (collector === undefined) {
    collector = null;
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      if (typeof gc === 'function') collector = gc as () => void;
    } catch {
      // A Node without it: the collector runs when V8 decides, as before.
    }
  }
  return collector;
}

/**
 * Bytes read at a time for a command that holds the capture: each chunk's frames are objects
 * until the store has them, and the larger the chunk, the more of them survive into the heap's
 * old generation (verdicts on the 400k flood: peak 252 MiB with 64 KiB, 262 with 256 KiB, 320
 * with 1 MiB; the time the same within noise).
 */
const CHUNK_BYTES = 1 << 16;

/**
 * The file's chunks, read synchronously: a read stream hands each 64 KiB to a thread and waits
 * for it, which left the process idle for 7% of a 100 MB capture's read. Each chunk is a new
 * buffer: the frames a reader hands on are views of it. The file is opened when the first chunk
 * is asked for, and closed when the reader stops, early or not.
 */
function* readChunks(path: string, chunkBytes: number): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const chunk = new Uint8Array(chunkBytes);
      const n = readSync(fd, chunk, 0, chunkBytes, null);
      if (n === 0) return;
      yield n === chunkBytes ? chunk : chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The chunks' bytes in one array, read until they end or pass `limit`: then `tooBig`, and the
 * read stops there (leaving the loop closes the stream), since a device or a pipe may never end.
 * `look` sees the bytes read so far after each chunk; what it returns, if anything, stops the
 * read and comes back as `stopped`.
 */
export async function readUpTo<T>(
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limit: number,
  look?: (bytes: Uint8Array) => T | undefined,
): Promise<{ bytes: Uint8Array; tooBig: boolean; stopped?: T }> {
  let bytes = new Uint8Array(64 * 1024);
  let at = 0;
  for await (const chunk of chunks) {
    if (at + chunk.length > bytes.length) {
      const grown = new Uint8Array(Math.max(bytes.length * 2, at + chunk.length));
      grown.set(bytes.subarray(0, at));
      bytes = grown;
    }
    bytes.set(chunk, at);
    at += chunk.length;
    const stopped = look?.(bytes.subarray(0, at));
    if (stopped !== undefined) return { bytes: bytes.subarray(0, at), tooBig: false, stopped };
    if (at > limit) return { bytes: bytes.subarray(0, at), tooBig: true };
  }
  return { bytes: bytes.subarray(0, at), tooBig: false };
}
