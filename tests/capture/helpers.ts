// Shared by the capture-reader tests: where the external corpus is, and reading in chunks.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCaptureReader } from '../../src/lib/capture/reader.ts';
import type { CaptureError, CaptureInfo, CapturedFrame } from '../../src/lib/capture/types.ts';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
/** The shared corpus, addressed relative to the repository root as the project asks. */
export const corpusRoot = resolve(repoRoot, '..', 'shared', 'corpus');
export const haveCorpus = existsSync(join(corpusRoot, 'MANIFEST.tsv'));

export interface ManifestRow {
  path: string;
  format: string;
  linkTypes: string;
  ticksPerSecond: string;
  /** capinfos' packet count, or what it said instead ("unreadable-by-capinfos", …). */
  capinfos: string;
}

export function manifest(): ManifestRow[] {
  const lines = readFileSync(join(corpusRoot, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = lines[0].split('\t');
  const col = (name: string): number => header.indexOf(name);
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    return {
      path: cells[col('path')],
      format: cells[col('format')],
      linkTypes: cells[col('link_types')],
      ticksPerSecond: cells[col('ticks_per_sec')],
      capinfos: cells[col('packets_capinfos')],
    };
  });
}

export function corpusFile(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join(corpusRoot, path)));
}

export interface ChunkedRead {
  info: CaptureInfo | undefined;
  frames: CapturedFrame[];
  error: CaptureError | undefined;
}

/** Feed `bytes` in chunks of `size` (copying each chunk, as a stream would hand them over). */
export function readInChunks(bytes: Uint8Array, size: number, totalBytes?: number): ChunkedRead {
  const reader = createCaptureReader(totalBytes === undefined ? {} : { totalBytes });
  const frames: CapturedFrame[] = [];
  const keep = (list: CapturedFrame[]): void => {
    // Views are only valid until the next push: own them now.
    for (const frame of list) frames.push({ ...frame, data: frame.data.slice() });
  };
  for (let at = 0; at < bytes.length; at += size) keep(reader.push(bytes.slice(at, Math.min(bytes.length, at + size))));
  const end = reader.finish();
  keep(end.frames);
  return { info: end.info, frames, error: end.error };
}

/** A comparable summary of a frame (bytes as hex so failures print readably). */
export function frameKey(frame: CapturedFrame): string {
  return [
    frame.number,
    frame.seconds,
    frame.nanoseconds,
    frame.capturedLength,
    frame.originalLength,
    frame.linkType,
    frame.interfaceId,
    frame.direction ?? '',
    (frame.comments ?? []).join('|'),
    Buffer.from(frame.data).toString('hex'),
  ].join(' ');
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
