// An attempt's packets grouped by the part they play: what the evidence cites, and what the
// two-sided comparison looks for in the server's copy of an attempt.
import type { Attempt, AttemptPacket } from './types.ts';
import { assertNever } from './vocabulary.ts';

/** The packets of an attempt, grouped by the part they play. */
export interface AttemptParts {
  syns: AttemptPacket[];
  duplicates: AttemptPacket[];
  synAcks: AttemptPacket[];
  serverRsts: AttemptPacket[];
  clientAcks: AttemptPacket[];
  clientRsts: AttemptPacket[];
  clientFins: AttemptPacket[];
  serverFins: AttemptPacket[];
  serverConfirms: AttemptPacket[];
  icmp: AttemptPacket[];
}

export function partsOf(attempt: Attempt): AttemptParts {
  const parts: AttemptParts = {
    syns: [],
    duplicates: [],
    synAcks: [],
    serverRsts: [],
    clientAcks: [],
    clientRsts: [],
    clientFins: [],
    serverFins: [],
    serverConfirms: [],
    icmp: [],
  };
  for (const p of attempt.packets) {
    switch (p.role) {
      case 'syn':
      case 'syn-retransmission':
        parts.syns.push(p);
        break;
      case 'duplicate':
        parts.duplicates.push(p);
        break;
      case 'syn-ack':
      case 'syn-ack-retransmission':
        parts.synAcks.push(p);
        break;
      case 'rst':
        parts.serverRsts.push(p);
        break;
      case 'client-ack':
      case 'client-data':
        parts.clientAcks.push(p);
        break;
      case 'client-rst':
        parts.clientRsts.push(p);
        break;
      case 'client-fin':
        parts.clientFins.push(p);
        break;
      case 'server-fin':
        parts.serverFins.push(p);
        break;
      case 'server-confirms':
        parts.serverConfirms.push(p);
        break;
      case 'icmp':
        parts.icmp.push(p);
        break;
      case 'other':
        break;
      default:
        assertNever(p.role);
    }
  }
  return parts;
}
