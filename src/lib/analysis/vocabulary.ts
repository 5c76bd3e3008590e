// The classifier's vocabulary, listed once. Every type, schema and style that names a verdict, a
// `where`, an nmap state or a Zeek conn_state derives from these arrays, so renaming or adding an
// entry here fails to compile wherever it is shown (switches end in `assertNever`, style tables
// are `Record<Verdict, …>`, the content schema's `z.enum` takes the array itself).

/** What happened to one connection attempt, from the frames alone. */
export const VERDICTS = ['connected', 'half-open', 'refused', 'no-response', 'unreachable', 'inconclusive'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Where an attempt ended, from a client-side and a server-side capture of the same moment. */
export const WHERES = ['none', 'path', 'server', 'return-path'] as const;
export type Where = (typeof WHERES)[number];

/** nmap's port state for the same evidence (SYN scan rules). */
export const NMAP_STATES = ['open', 'closed', 'filtered', 'unknown'] as const;
export type NmapState = (typeof NMAP_STATES)[number];

/** Zeek's conn_state values (base/protocols/conn/main.zeek). */
export const ZEEK_STATES = [
  'S0',
  'S1',
  'SF',
  'REJ',
  'S2',
  'S3',
  'RSTO',
  'RSTR',
  'RSTOS0',
  'RSTRH',
  'SH',
  'SHR',
  'OTH',
] as const;
export type ZeekState = (typeof ZEEK_STATES)[number];

/** Which end sent a packet: the attempt's client, its server, or a third host (a router's ICMP). */
export const SENDERS = ['client', 'server', 'router'] as const;
export type Sender = (typeof SENDERS)[number];

/** The part a packet plays in an attempt; 'other' = later traffic of the same connection. */
export const ROLES = [
  'syn',
  'syn-retransmission',
  'duplicate',
  'syn-ack',
  'syn-ack-retransmission',
  'rst',
  'client-ack',
  'client-data',
  'client-rst',
  'client-fin',
  'server-fin',
  /** A server packet that proves the handshake completed (data, or an ACK of client data). */
  'server-confirms',
  'icmp',
  'other',
] as const;
export type Role = (typeof ROLES)[number];

/** Ends an exhaustive switch: a new vocabulary entry without a case is a compile error here. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}
