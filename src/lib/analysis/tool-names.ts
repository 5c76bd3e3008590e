// What nmap and Zeek call each case, for the lessons' tables: every row is the classifier's own
// answer (verdict, nmap state, Zeek conn_state and history) for a small canonical attempt, so a
// table rendered from here cannot disagree with the verdict panel showing the same packets.
import { classify } from './classify.ts';
import type { Attempt, AttemptPacket, NmapState, Verdict } from './types.ts';

export interface ToolNamesRow {
  /** The situation, in the lessons' words. */
  situation: string;
  verdict: Verdict;
  nmap: NmapState;
  zeek: string;
  history: string;
}

const ISN = 1000;
const SERVER_ISN = 5000;
type Step = [
  t: number,
  from: 'client' | 'server' | 'router',
  flags: string,
  role: AttemptPacket['role'],
  extra?: Partial<AttemptPacket>,
];

const BITS: Record<string, number> = { F: 0x001, S: 0x002, R: 0x004, A: 0x010 };

function attemptOf(steps: Step[]): Attempt {
  const packets = steps.map(([t, from, letters, role, extra], k): AttemptPacket => {
    let flags = 0;
    for (const l of letters) flags |= BITS[l];
    const client = from === 'client';
    return {
      index: k,
      frame: k + 1,
      t,
      from,
      flags,
      role,
      seq: client ? (flags & BITS.S ? ISN : ISN + 1) : flags & BITS.S ? SERVER_ISN : SERVER_ISN + 1,
      ack: flags & BITS.A ? (client ? SERVER_ISN + 1 : ISN + 1) : 0,
      ttl: 64,
      length: 0,
      ...extra,
    };
  });
  return {
    id: `192.0.2.1:50000>198.51.100.2:443#${ISN}`,
    client: '192.0.2.1',
    clientPort: 50000,
    server: '198.51.100.2',
    serverPort: 443,
    ipVersion: 4,
    isn: ISN,
    stream: 0,
    synMissing: false,
    startTime: 0,
    packets,
    vlans: [],
    serverIsn: SERVER_ISN,
  };
}

// The openings the cases share: a SYN answered by SYN/ACK, and a SYN retried at 1 s and 3 s.
const SYN: Step = [0, 'client', 'S', 'syn'];
const ANSWERED: Step[] = [SYN, [0.02, 'server', 'SA', 'syn-ack']];
const HANDSHAKE: Step[] = [...ANSWERED, [0.04, 'client', 'A', 'client-ack']];
const RETRIED: Step[] = [SYN, [1, 'client', 'S', 'syn-retransmission'], [3, 'client', 'S', 'syn-retransmission']];

const CASES: Array<{ situation: string; steps: Step[]; capture: number }> = [
  {
    situation: 'connected, then closed normally',
    steps: [
      ...HANDSHAKE,
      [1, 'client', 'FA', 'client-fin'],
      [1.02, 'server', 'FA', 'server-fin'],
      [1.04, 'client', 'A', 'other', { seq: ISN + 2, ack: SERVER_ISN + 2 }],
    ],
    capture: 5,
  },
  {
    situation: 'connected, still open when the capture stops',
    steps: HANDSHAKE,
    capture: 5,
  },
  {
    situation: 'half-open: a SYN scanner resets instead of completing (nmap -sS)',
    steps: [...ANSWERED, [0.021, 'client', 'R', 'client-rst']],
    capture: 5,
  },
  {
    situation: 'half-open, captured on the client: the SYN/ACK came, the client never completed',
    steps: ANSWERED,
    capture: 5,
  },
  {
    situation: 'half-open, captured on the server: its SYN/ACK never reached the client, which kept re-sending the SYN',
    steps: [
      [0, 'client', 'S', 'syn', { ttl: 54 }],
      [0.001, 'server', 'SA', 'syn-ack', { ttl: 64 }],
      [1, 'client', 'S', 'syn-retransmission', { ttl: 54 }],
      [1.001, 'server', 'SA', 'syn-ack-retransmission', { ttl: 64 }],
    ],
    capture: 5,
  },
  {
    situation: 'refused: RST/ACK acknowledging the SYN',
    steps: [SYN, [0.02, 'server', 'RA', 'rst']],
    capture: 5,
  },
  {
    situation: 'no response: the SYN and its retries go unanswered',
    steps: RETRIED,
    capture: 7,
  },
  {
    situation: 'no response, and the client gives up with a RST',
    steps: [...RETRIED, [4, 'client', 'RA', 'client-rst', { ack: 0 }]],
    capture: 7,
  },
  {
    situation: 'unreachable: a router answers ICMP "administratively prohibited"',
    steps: [
      SYN,
      [
        0.01,
        'router',
        '',
        'icmp',
        { icmpType: 3, icmpCode: 13, icmpVersion: 4, routerAddress: '203.0.113.1', seq: ISN },
      ],
    ],
    capture: 5,
  },
  {
    situation: 'inconclusive: the capture stops 0.3 s after a lone SYN',
    steps: [SYN],
    capture: 0.3,
  },
];

let rows: ToolNamesRow[] | undefined;

/** The table: one row per canonical case, as the classifier answers it. */
export function toolNamesTable(): ToolNamesRow[] {
  return (rows ??= CASES.map(({ situation, steps, capture }) => {
    const v = classify(attemptOf(steps), capture);
    return { situation, verdict: v.verdict, nmap: v.nmap, zeek: v.zeek, history: v.history };
  }));
}
