// How many connection attempts a capture holds, guessed from its first bytes before it is
// read: what decides whether the lab can hold it whole is not only its size but its attempts.
// A SYN flood or a port scan is small on disk and yet nearly every packet starts an attempt,
// and each attempt costs memory (its packets, evidence and view) far beyond its 60-odd bytes.
import { Layer, storeOf } from '../store/packet-store.ts';
import { loadCaptureBytes } from '../load.ts';

/** Enough of the file to see a few thousand packets of a flood, and quick to read (a few ms). */
export const ESTIMATE_HEAD_BYTES = 1 << 20;

const SYN = 0x002;
const ACK = 0x010;

export interface AttemptEstimate {
  /** SYNs without ACK among the packets read, and those packets. */
  syns: number;
  packets: number;
  /** Bytes the packets read took up in the file. */
  bytesRead: number;
  /** SYNs per byte of file × the file's size: the attempts (and retransmitted SYNs) to expect. */
  attempts: number;
}

/**
 * `head` is the start of a file of `fileSize` bytes. Retransmitted SYNs count as attempts here:
 * an over-estimate, on the side of keeping the tab alive.
 */
export function estimateAttempts(head: Uint8Array, fileSize: number): AttemptEstimate {
  const capture = loadCaptureBytes(head);
  const store = storeOf(capture);
  const c = store.columns;
  let syns = 0;
  for (let i = 0; i < store.count; i++) {
    if ((c.layers[i] & Layer.Tcp) !== 0 && (c.tcpFlags[i] & (SYN | ACK)) === SYN) syns++;
  }
  // The file up to the end of the last complete packet: a head cut inside a packet leaves it out.
  const bytesRead = capture.error?.kind === 'truncated' ? capture.error.offset : head.length;
  const attempts = bytesRead > 0 ? Math.round((syns / bytesRead) * fileSize) : 0;
  return { syns, packets: store.count, bytesRead, attempts };
}
