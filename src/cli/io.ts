// The CLI's only contact with Node: reading files and writing to the terminal. Commands take
// a CliIO so tests can run them in-process and capture what they print.
import { createReadStream, statSync } from 'node:fs';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /**
   * The file's bytes as a stream of chunks (of `chunkBytes`, 1 MiB unless asked: a command that
   * writes as it reads asks for less, so it holds less at once), and its size.
   */
  openFile(path: string, chunkBytes?: number): { size: number; chunks: AsyncIterable<Uint8Array> };
  /** Resolves when what `out` wrote has been taken (backpressure), for commands that write a lot. */
  drain?(): Promise<void>;
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
  err: (text) => void process.stderr.write(text),
  drain: () =>
    process.stdout.writableNeedDrain
      ? new Promise((resolve) => process.stdout.once('drain', resolve))
      : Promise.resolve(),
  openFile(path, chunkBytes = 1 << 20) {
    const size = statSync(path).size;
    return { size, chunks: createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Uint8Array> };
  },
};
