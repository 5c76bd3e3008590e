// Shared by the capture-reader tests: reading in chunks, comparing frames. The corpus itself is
// reached through tests/support/corpus.ts.
import { createCaptureReader } from '../../src/lib/capture/reader.ts';
import type { CaptureError, CaptureInfo, CapturedFrame } from '../../src/lib/capture/types.ts';

export { REPO_ROOT as repoRoot } from '../support/corpus.ts';

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
