// Reading corpus captures and tshark golden files in the analysis tests.
import { readFileSync } from 'node:fs';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';

import { capturePath } from '../support/corpus.ts';

const cache = new Map<string, Capture>();

/** A capture named as in capturePath() (`zeek/…`, `packets/…`, `public/…`), loaded by the project's own loader. */
export function corpusCapture(path: string): Capture {
  let capture = cache.get(path);
  if (!capture) {
    capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path))));
    cache.set(path, capture);
  }
  return capture;
}

/** A tshark `-T fields -E header=y` file as rows keyed by column name. */
export function readTsv(path: string): Array<Record<string, string>> {
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    header.forEach((name, k) => (row[name] = cells[k] ?? ''));
    return row;
  });
}
