// Rules for captures from the wild: what a real TCP stack accepts, and what a capture point may
// have missed. Each is a small predicate, called from classify/evidence/analyze, so the verdict
// code says which rule it applies by name.
import type { Attempt, AttemptPacket } from './types.ts';

const FIN = 0x001;
const SYN = 0x002;
const RST = 0x004;
const ACK = 0x010;

/** Payload bytes the attempt's SYNs carried (TCP Fast Open, or a SYN with data). */
function synDataLength(attempt: Attempt): number {
  let most = 0;
  for (const p of attempt.packets)
    if (p.from === 'client' && p.flags & SYN && !(p.flags & ACK)) most = Math.max(most, p.length);
  return most;
}

/**
 * RFC 9293 §3.10.7.3 (SYN-SENT) and RFC 5961 §3: a client waiting for the answer to its SYN
 * accepts a RST only when it carries ACK and acknowledges the SYN (ISN < Ack ≤ ISN + 1 + SYN
 * data). A RST without ACK (SYN+RST included) or with any other Ack is dropped by a real stack —
 * Wireshark still shows it, but the client's connect() goes on waiting.
 */
export function rstAcceptedBySynSent(p: AttemptPacket, attempt: Attempt): boolean {
  if (!(p.flags & RST) || !(p.flags & ACK)) return false;
  const past = (p.ack - attempt.isn) | 0;
  return past >= 1 && past <= 1 + synDataLength(attempt);
}

/**
 * A SYN/ACK answers a SYN; a packet that also carries RST or FIN is not an answer (no stack
 * sends SYN+ACK+RST or SYN+ACK+FIN: a crafted packet or a broken middlebox).
 */
export function isPlainSynAck(flags: number): boolean {
  return (flags & (SYN | ACK)) === (SYN | ACK) && !(flags & (RST | FIN));
}

/**
 * No SYN in the capture and nothing from the client acknowledging the SYN/ACK: there is no
 * attempt to judge, only a connection whose start was not captured (Zeek: a `^` flip, OTH).
 * A capture that starts after the SYN still shows a real connection when the client completes
 * the handshake or sends data, and that one keeps its verdict.
 */
export function startNotCaptured(attempt: Attempt): boolean {
  return (
    attempt.synMissing &&
    !attempt.packets.some(
      (p) => p.role === 'client-ack' || p.role === 'client-data' || p.role === 'syn' || p.role === 'server-confirms',
    )
  );
}

/**
 * The RST a TCP stack sends when a SYN/ACK arrives for a connection it has no socket for (RFC
 * 9293 §3.10.7.1: Seq = the SYN/ACK's Ack = ISN + 1, no ACK bit): a client's RST of exactly that
 * shape, before any retry of its SYN, means a SYN/ACK reached it that the capture did not hold —
 * or a stateless scanner (masscan, a SYN scan from a raw socket) got its answer.
 */
export function kernelResetAfterMissedSynAck(p: AttemptPacket, attempt: Attempt, firstRetryAt: number): boolean {
  return (
    p.from === 'client' &&
    (p.flags & (RST | ACK | SYN | FIN)) === RST &&
    p.seq === (attempt.isn + 1 + synDataLength(attempt)) >>> 0 &&
    p.t < firstRetryAt
  );
}

/**
 * Hop counts from TTLs only make sense when the sender uses one initial TTL: nmap picks a
 * random TTL per probe (37–59), other scanners too. Spread of the TTLs a host sent, at most 2
 * (a route change) for the inference.
 */
export const MAX_CONSISTENT_TTL_SPREAD = 2;

export function ttlsConsistent(ttls: Iterable<number>): boolean {
  let low = Infinity;
  let high = -Infinity;
  for (const t of ttls) {
    low = Math.min(low, t);
    high = Math.max(high, t);
  }
  return high - low <= MAX_CONSISTENT_TTL_SPREAD;
}

/**
 * pktmon and Windows loopback log one packet at several points of the stack, microseconds apart,
 * with IP ID 0 (loopback) — no TCP retransmits within 20 µs (the shortest RTO is 200 ms), so a
 * copy that close is the same packet, whatever was captured in between.
 */
export const STACK_COPY_WINDOW_NS = 20_000;

/** Initial TTLs of common stacks: a packet still carrying one was captured where it was sent. */
const INITIAL_TTLS = new Set([64, 128, 255]);

/**
 * A half-open attempt captured at the server whose SYN/ACK never reached the client: the
 * SYN/ACK still has its initial TTL (captured where it was sent) while the SYN does not (it
 * crossed routers), and the client went on re-sending its SYN after it, or the server re-sent
 * its SYN/ACK to no reply at all. nmap on that client never sees the SYN/ACK: "filtered", not "open".
 */
export function synAckLostBeforeClient(attempt: Attempt): boolean {
  const syn = attempt.packets.find((p) => p.role === 'syn');
  const synAcks = attempt.packets.filter((p) => p.role === 'syn-ack' || p.role === 'syn-ack-retransmission');
  if (!syn || synAcks.length === 0 || syn.ttl === undefined || synAcks[0].ttl === undefined) return false;
  const atServer = INITIAL_TTLS.has(synAcks[0].ttl) && !INITIAL_TTLS.has(syn.ttl);
  if (!atServer) return false;
  const clientSpoke = attempt.packets.some(
    (p) => p.from === 'client' && p.t > synAcks[0].t && p.role !== 'syn-retransmission' && p.role !== 'duplicate',
  );
  const synAgain = attempt.packets.some((p) => p.role === 'syn-retransmission' && p.t > synAcks[0].t);
  return !clientSpoke && (synAgain || synAcks.length > 1);
}
