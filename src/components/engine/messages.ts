// What the page asks the engine Worker: the session protocol (src/lib/session/protocol.ts),
// plus how many attempts an open capture's summary should bring back.
import type { RequestBody } from '../../lib/session/protocol.ts';

export interface OpenOptions {
  /** Keep only the packets that decide the verdicts (a capture too large to hold whole). */
  handshakesOnly?: boolean;
  /**
   * How many attempts the summary carries (default: as many as the session puts in it). The
   * lab asks for its first page only; the rest are fetched when the reader asks for more.
   */
  attempts?: number;
}

export type OpenRequest = Extract<RequestBody, { type: 'open' }> & OpenOptions;
export type CompareRequest = Extract<RequestBody, { type: 'compare' }> & Pick<OpenOptions, 'attempts'>;
export type FirewallLogRequest = Extract<RequestBody, { type: 'firewall-log' }> & Pick<OpenOptions, 'attempts'>;

export type EngineRequestBody =
  | Exclude<RequestBody, { type: 'open' | 'compare' | 'firewall-log' }>
  | OpenRequest
  | CompareRequest
  | FirewallLogRequest;
export type EngineRequest = EngineRequestBody & { id: number; session: string };
