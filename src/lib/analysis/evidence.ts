// Every sentence the classifier says, in one place, in the lessons' voice: what each frame shows,
// with its numbers, then what the frames do not prove and what would settle it.
// `classify` judges (data); `explain(verdict)` writes these words when a view asks for them.
// The widgets and the CLI show these strings as they are.
import { TcpFlag } from '../decode/tcp.ts';
import { partsOf, type AttemptParts } from './parts.ts';
import { kernelResetAfterMissedSynAck, rstAcceptedBySynSent, ttlsConsistent } from './rules.ts';
import { formatSeconds } from './timing.ts';
import type {
  Attempt,
  AttemptPacket,
  AttemptVerdict,
  ComparedAttempt,
  EvidenceStep,
  Explanation,
  HostDrop,
  HostFacts,
  RetryTiming,
} from './types.ts';
import { assertNever, type NmapState, type Verdict, type Where } from './vocabulary.ts';

const { FIN, SYN, RST, ACK } = TcpFlag;

interface OneSideInput {
  attempt: Attempt;
  parts: AttemptParts;
  verdict: Verdict;
  timing: RetryTiming;
  observedAfterLastSyn: number;
  observedAfterFirst: number;
  /** What the rest of the capture says about its hosts (silent server, TTLs); absent for an attempt on its own. */
  hosts?: HostFacts;
}

/**
 * The words for a verdict: its headline, the evidence citing frames, the caveats, and for an
 * attempt compared across two captures, the evidence for `where` it ended.
 */
export function explain(v: AttemptVerdict | ComparedAttempt): Explanation {
  const words = explainOneSide({
    attempt: v.attempt,
    parts: partsOf(v.attempt),
    verdict: v.verdict,
    timing: v.timing,
    observedAfterLastSyn: v.observedAfterLastSyn,
    observedAfterFirst: v.observedAfterFirst,
    hosts: v.hosts,
  });
  if (v.hostDrops?.length) {
    // The host's own record goes right after the step naming the SYN(s), and settles what one
    // side's silence leaves open.
    words.evidence.splice(Math.min(1, words.evidence.length), 0, ...v.hostDrops.map(hostDropStep));
    words.caveats = words.caveats.filter((c) => c !== ONE_SIDE_CAVEAT);
  }
  if (!('where' in v)) return words;
  const server = v.counterpart;
  return {
    ...words,
    // With the server's capture in hand, "capture on the server too" has been done.
    caveats: words.caveats.filter((c) => c !== ONE_SIDE_CAVEAT),
    whereEvidence: explainWhere({
      where: v.where,
      client: { verdict: v.verdict, attempt: v.attempt, frames: v.frames },
      server: server
        ? {
            verdict: server.verdict,
            attempt: server.attempt,
            parts: partsOf(server.attempt),
            dropped: Boolean(server.hostDrops?.length),
          }
        : undefined,
      clockOffset: v.clockOffset,
      matchedBy: v.matchedBy,
    }).concat(
      // The server's own record of the drop (pktmon, its firewall log) places it at the server.
      (server?.hostDrops ?? []).map((drop) => ({
        text: hostDropStep(drop).text.replace(/^Frame /, 'Server frame '),
        frames: [],
      })),
    ),
  };
}

/** The limit of one capture, which a second capture (on the server) removes. */
export const ONE_SIDE_CAVEAT =
  'From this side alone, a firewall drop and a port with nothing listening behind a dropping firewall (Windows Firewall on a closed port) look the same — capture on the server too';

const ICMP4_UNREACHABLE: Record<number, string> = {
  0: 'network unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  5: 'source route failed',
  6: 'destination network unknown',
  7: 'destination host unknown',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  11: 'network unreachable for this type of service',
  12: 'host unreachable for this type of service',
  13: 'communication administratively prohibited',
  14: 'host precedence violation',
  15: 'precedence cutoff in effect',
};

const ICMP6_UNREACHABLE: Record<number, string> = {
  0: 'no route to destination',
  1: 'communication administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

/** "type 3, code 13 (communication administratively prohibited)" */
export function icmpName(version: 4 | 6, code: number): string {
  const names = version === 4 ? ICMP4_UNREACHABLE : ICMP6_UNREACHABLE;
  return names[code] ?? `code ${code}`;
}

/** What the ICMP code tells the reader about who said no. */
function icmpMeaning(version: 4 | 6, code: number): string {
  const prohibited = version === 4 ? code === 9 || code === 10 || code === 13 : code === 1 || code === 5 || code === 6;
  if (prohibited) return 'a filter said no, and said so instead of dropping silently';
  const portUnreachable = version === 4 ? code === 3 : code === 4;
  if (portUnreachable) return 'a firewall rejecting with "port unreachable" (TCP itself would answer RST)';
  if (version === 4 ? code === 1 || code === 7 : code === 3)
    return 'the last router could not reach the host (no ARP/ND answer: down, or wrong address)';
  if (version === 4 ? code === 0 || code === 6 : code === 0) return 'a router has no route to the destination network';
  if (version === 4 && code === 4) return 'the path MTU is smaller than the packet and DF is set';
  return 'the path refused to deliver it';
}

/** "10.0.0.2:3389", "[fd00::20]:3389" — brackets keep an IPv6 address apart from its port. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Initial TTLs stacks use: Linux/macOS 64, Windows 128, network gear 255. */
const INITIAL_TTLS = [64, 128, 255];

const frameList = (frames: number[]): string => {
  if (frames.length === 1) return `frame ${frames[0]}`;
  if (frames.length === 2) return `frames ${frames[0]} and ${frames[1]}`;
  return `frames ${frames.slice(0, -1).join(', ')} and ${frames[frames.length - 1]}`;
};
const frameNumbers = (ps: AttemptPacket[]): number[] => ps.map((p) => p.frame);
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const count = (n: number): string => (n === 2 ? 'both' : `all ${n}`);

/** Routers a packet crossed before the capture point, from its TTL (0 when it is at an initial value). */
function routersBefore(p: AttemptPacket | undefined): number {
  if (!p || p.ttl === undefined) return 0;
  const initial = INITIAL_TTLS.find((x) => x >= p.ttl!);
  return initial === undefined ? 0 : initial - p.ttl;
}

function explainOneSide(input: OneSideInput): Explanation {
  const { attempt, parts, verdict, timing, observedAfterLastSyn, observedAfterFirst } = input;
  const { syns, duplicates, synAcks, serverRsts, clientAcks, clientRsts, clientFins, icmp } = parts;
  const client = hostPort(attempt.client, attempt.clientPort);
  const server = hostPort(attempt.server, attempt.serverPort);
  const port = attempt.serverPort;
  const evidence: EvidenceStep[] = [];
  const caveats: string[] = [];
  const isnPlus1 = (attempt.isn + 1) >>> 0;

  // 1. The SYN(s).
  if (syns.length > 0) {
    const first = syns[0];
    if (syns.length === 1) {
      evidence.push({
        text: `Frame ${first.frame}: ${client} sends a SYN to ${server} (Seq ${attempt.isn}, Ack ${first.ack})`,
        frames: [first.frame],
      });
    } else {
      const frames = frameNumbers(syns);
      evidence.push({
        text: `Ack stays ${first.ack} in ${count(syns.length)} SYNs from ${client} to ${server} (frames ${frames.join(', ')})`,
        frames,
      });
      const retries = syns.slice(1);
      evidence.push({
        text: `Seq stays ${attempt.isn}: ${frameList(frameNumbers(retries))} ${retries.length === 1 ? 'retransmits' : 'retransmit'} frame ${first.frame} after ${retries.map((r) => formatSeconds(r.t - first.t)).join(' and ')}`,
        frames,
      });
      if (timing.schedule && (verdict === 'no-response' || verdict === 'inconclusive' || verdict === 'unreachable')) {
        evidence.push({ text: `The client waited ${timing.schedule}`, frames });
      }
    }
    for (const d of duplicates) {
      const original = attempt.packets
        .filter((p) => p.t <= d.t && p.from === d.from && p.role !== 'duplicate' && p.seq === d.seq)
        .pop();
      if (!original) continue;
      const id = d.ipId !== undefined ? `same IP ID 0x${d.ipId.toString(16).padStart(4, '0')}, ` : '';
      evidence.push({
        text: `Frame ${d.frame} is frame ${original.frame} captured a second time (${id}${formatSeconds(d.t - original.t)} later${d.vlan !== original.vlan && d.vlan !== undefined ? `, on VLAN ${d.vlan}` : ''}), not a retry`,
        frames: [original.frame, d.frame],
      });
    }
  } else if (attempt.synMissing) {
    evidence.push({
      text: `The capture holds no SYN from ${client}: it started after it. The server's answer (Ack ${isnPlus1}) tells us the SYN's Seq was ${attempt.isn}`,
      frames: synAcks.length > 0 ? [synAcks[0].frame] : [],
    });
  }
  if (attempt.vlans.length > 0) {
    evidence.push({
      text:
        attempt.vlans.length === 1
          ? `All of it on VLAN ${attempt.vlans[0]}`
          : `Seen on VLANs ${attempt.vlans.join(', ')}: the same packets crossing more than one VLAN`,
      frames: [],
    });
  }

  const lastSyn = syns[syns.length - 1];
  /** "1.3 ms after the first SYN", or, in a capture that holds them out of order, "captured … before". */
  const afterFirstSyn = (p: AttemptPacket): string => {
    const delta = p.t - (syns[0]?.t ?? 0);
    return delta >= 0
      ? `${formatSeconds(delta)} after the first SYN`
      : `captured ${formatSeconds(-delta)} before the SYN (the capture holds them out of order)`;
  };
  const sinceFirstSyn = (p: AttemptPacket): string => formatSeconds(Math.max(0, p.t - (syns[0]?.t ?? 0)));
  let headline = '';
  if (verdict !== 'connected' && verdict !== 'half-open')
    evidence.push(...ignoredRstSteps(attempt, serverRsts, server));

  switch (verdict) {
    case 'connected':
    case 'half-open': {
      const sa = synAcks[0];
      if (sa) {
        evidence.push({
          text: `Frame ${sa.frame}: ${server} answers SYN/ACK with Ack ${sa.ack} = the SYN's Seq + 1${syns.length > 0 ? `, ${afterFirstSyn(sa)}` : ''}: something listens on port ${port}`,
          frames: [sa.frame],
        });
      }
      const earlyRst = serverRsts.find((r) => !sa || r.t < sa.t);
      if (earlyRst && sa) {
        const ttls =
          earlyRst.ttl !== undefined && sa.ttl !== undefined && earlyRst.ttl !== sa.ttl
            ? ` (TTL ${earlyRst.ttl}, while the SYN/ACK has TTL ${sa.ttl})`
            : '';
        evidence.push({
          text: `Frame ${earlyRst.frame}: a RST claiming to come from ${server} arrived before the SYN/ACK${ttls}: a forged reset from a middlebox, not the server's answer`,
          frames: [earlyRst.frame, sa.frame],
        });
      }
      const extraSynAcks = synAcks.slice(1);
      if (extraSynAcks.length > 0) {
        evidence.push({
          text: `The server sent its SYN/ACK ${plural(synAcks.length, 'time')} (${frameList(frameNumbers(synAcks))}): it was waiting for the client's ACK`,
          frames: frameNumbers(synAcks),
        });
      }
      if (verdict === 'connected') {
        const ack = clientAcks[0];
        const confirm = parts.serverConfirms[0];
        if (ack) {
          const what =
            ack.role === 'client-data'
              ? `sends data (${plural(ack.length, 'byte')})`
              : ack.flags & FIN
                ? 'ACKs the SYN/ACK (with FIN)'
                : 'ACKs the SYN/ACK';
          evidence.push({
            text: `Frame ${ack.frame}: the client ${what}${sa ? ` with Ack ${ack.ack}${ack.ack === (sa.seq + 1) >>> 0 ? " = the server's Seq + 1" : ", past the server's Seq"}` : ''}: the handshake completed`,
            frames: [ack.frame],
          });
          if (!sa) {
            evidence.push({
              text: `The SYN/ACK itself is not in the capture, but the client could not have sent frame ${ack.frame} without it`,
              frames: [ack.frame],
            });
          }
        } else if (confirm) {
          const what =
            confirm.length > 0
              ? `sends ${plural(confirm.length, 'byte')} of data`
              : `acknowledges ${plural((confirm.ack - isnPlus1) >>> 0, 'byte')} of client data (Ack ${confirm.ack})`;
          evidence.push({
            text: `Frame ${confirm.frame}: the server ${what} — it only does that once the handshake completed. The client's packets are not in this capture (one direction only)`,
            frames: [confirm.frame],
          });
        }
        headline = `Connected: ${server} answered and the handshake completed — port ${port} is open and reachable.`;
      } else {
        const laterSyns = sa ? syns.filter((s) => s.t > sa.t) : [];
        if (clientRsts.length > 0 && sa) {
          const r = clientRsts[0];
          evidence.push({
            text: `Frame ${r.frame}: instead of completing the handshake, the client resets it (RST, Seq ${r.seq}) ${formatSeconds(r.t - sa.t)} after the SYN/ACK — the way a SYN scan (nmap -sS) probes a port`,
            frames: [r.frame],
          });
        } else if (laterSyns.length > 0) {
          evidence.push({
            text: `The client kept resending its SYN after the SYN/ACK (${frameList(frameNumbers(laterSyns))}): the answer never reached it`,
            frames: frameNumbers(laterSyns),
          });
          caveats.push(
            "Something between the two ends (or the client's own firewall) dropped the SYN/ACK: capture on the client host itself, and on the way back, to see where",
          );
        } else {
          evidence.push({
            text: `No ACK from the client in the ${formatSeconds(observedAfterLastSyn)} the capture went on after that`,
            frames: [],
          });
          if (observedAfterLastSyn < 1)
            caveats.push(
              'The capture stops soon after the SYN/ACK: a longer capture would show whether the client completes the handshake',
            );
        }
        headline = `Half-open: ${server} answered SYN/ACK, so port ${port} is open, but the handshake never completed.`;
      }
      break;
    }
    case 'refused': {
      const r = serverRsts.find((x) => rstAcceptedBySynSent(x, attempt)) ?? serverRsts[0];
      const answersSyn = (r.flags & ACK) !== 0 && r.ack === isnPlus1;
      evidence.push({
        text: `Frame ${r.frame}: ${server} answers RST${r.flags & ACK ? '/ACK' : ''}${answersSyn ? ` with Ack ${r.ack} = the SYN's Seq + 1` : ''}, ${sinceFirstSyn(r)} after the SYN${r.ttl !== undefined ? ` (TTL ${r.ttl})` : ''}: the host's TCP says nothing listens on port ${port}`,
        frames: [r.frame],
      });
      if (syns.length > 1) {
        const retries = syns.slice(1);
        evidence.push({
          text: `The client tried again anyway (${frameList(frameNumbers(retries))}) and got ${serverRsts.length > 1 ? `a RST each time (${frameList(frameNumbers(serverRsts.slice(1)))})` : 'no further answer'} — some stacks (Windows among them) retry a refused connection a couple of times`,
          frames: [...frameNumbers(retries), ...frameNumbers(serverRsts.slice(1))],
        });
      }
      evidence.push({
        text: `A reset came back, so the path to ${attempt.server} and back is open: the host is up and the port is closed`,
        frames: [r.frame],
      });
      caveats.push(
        `A firewall set to reject (rather than drop) can send the RST for the host: if its TTL differs from other packets from ${attempt.server}, it came from somewhere else`,
      );
      headline = `Refused: ${server} answered RST — port ${port} is closed (nothing listening), and the network let the SYN through.`;
      break;
    }
    case 'unreachable': {
      const u = icmp[0];
      const name = icmpName(u.icmpVersion ?? 4, u.icmpCode ?? -1);
      const type = u.icmpVersion === 6 ? `ICMPv6 type 1, code ${u.icmpCode}` : `ICMP type 3, code ${u.icmpCode}`;
      evidence.push({
        text: `Frame ${u.frame}: ${u.routerAddress === attempt.server ? `${attempt.server} itself` : u.routerAddress} sends ${type} (${name}) quoting this SYN (${attempt.clientPort} → ${port}${Number.isNaN(u.seq) ? '' : `, Seq ${u.seq}`}), ${sinceFirstSyn(u)} after it: ${icmpMeaning(u.icmpVersion ?? 4, u.icmpCode ?? -1)}`,
        frames: [u.frame],
      });
      if (icmp.length > 1) {
        evidence.push({
          text: `Every retry got the same answer (${frameList(frameNumbers(icmp))})`,
          frames: frameNumbers(icmp),
        });
      }
      headline =
        u.routerAddress === attempt.server
          ? `Unreachable: ${attempt.server} answered ICMP ${name} instead of TCP — a firewall on the host turned the SYN for port ${port} away.`
          : `Unreachable: router ${u.routerAddress} answered ICMP ${name} — the SYN for port ${port} never reached ${attempt.server}.`;
      break;
    }
    case 'no-response': {
      // In a no-response verdict every RST present was one the client's TCP ignored (rule 1).
      const rst = serverRsts.length > 0 ? 'RST it would accept' : 'RST';
      evidence.push({
        text:
          observedAfterLastSyn > 0.0005
            ? `No SYN/ACK, ${rst} or ICMP error about it from ${server} or any router in the ${formatSeconds(observedAfterLastSyn)} that followed${syns.length > 1 ? ' the last SYN' : ''}`
            : `No SYN/ACK, ${rst} or ICMP error about it from ${server} or any router between the first SYN and the end of the capture (${formatSeconds(observedAfterFirst)})`,
        frames: lastSyn ? [lastSyn.frame] : [],
      });
      const legacyCut = timing.matches === 'legacy-windows' && observedAfterFirst < 21;
      if (observedAfterLastSyn < 1 && !legacyCut) {
        caveats.push(
          observedAfterLastSyn > 0.0005
            ? `The capture ends ${formatSeconds(observedAfterLastSyn)} after the last SYN: the client may have tried again after that`
            : 'The capture ends with the last SYN: the client may have tried again after that',
        );
      }
      const gaveUp = [...clientRsts, ...clientFins][0];
      if (gaveUp) {
        evidence.push({
          text: `Frame ${gaveUp.frame}: the client gives up (${gaveUp.flags & RST ? 'RST' : 'FIN'}) ${sinceFirstSyn(gaveUp)} after its first SYN`,
          frames: [gaveUp.frame],
        });
      }
      if (syns.length === 1 && observedAfterFirst < 3) {
        caveats.push(
          `Only ${formatSeconds(observedAfterFirst)} of capture after the SYN and no retry in it: a Linux client would have retried after 1 s, a legacy Windows one only after 3 s — capture longer to see the retries`,
        );
      }
      if (legacyCut) {
        caveats.push(
          `The capture stops ${formatSeconds(observedAfterFirst)} after the first SYN; legacy Windows keeps trying until 21 s`,
        );
      }
      const hops = hopsIfConsistent(syns, input.hosts?.clientTtls);
      if (hops > 0) {
        evidence.push({
          text: `The SYN${syns.length > 1 ? 's' : ''} arrive${syns.length > 1 ? '' : 's'} with TTL ${syns[0].ttl} (sent with ${syns[0].ttl! + hops}: ${plural(hops, 'router')} on the way), so this capture was taken past ${attempt.client}'s own network — if on ${attempt.server} itself, the SYNs reached it and it sent nothing back`,
          frames: [syns[0].frame],
        });
      }
      caveats.push(ONE_SIDE_CAVEAT);
      const which = syns.length === 1 ? 'the SYN' : syns.length === 2 ? 'either SYN' : `any of the ${syns.length} SYNs`;
      headline =
        serverRsts.length > 0
          ? `No response: nothing the client's TCP accepts came back to ${which} for port ${port} — dropped on the way or at ${attempt.server}; the reset in the capture was not an answer it takes.`
          : `No response: nothing came back to ${which} for port ${port} — dropped on the way or at ${attempt.server}.`;
      break;
    }
    case 'inconclusive': {
      const quit = [...clientRsts, ...clientFins].sort((a, b) => a.t - b.t)[0];
      const sa = synAcks[0];
      if (sa) {
        evidence.push({
          text: `Frame ${sa.frame}: ${server} answers SYN/ACK with Ack ${sa.ack} = the SYN's Seq + 1: port ${port} is open`,
          frames: [sa.frame],
        });
        evidence.push({
          text: `The capture stops ${formatSeconds(observedAfterFirst - sa.t)} after the SYN/ACK, before the client's ACK could show`,
          frames: [sa.frame],
        });
        caveats.push('Capture a little longer to see whether the handshake completes');
      } else if (quit) {
        evidence.push({
          text: `Frame ${quit.frame}: the client itself gives up (${quit.flags & RST ? 'RST' : 'FIN'}) ${sinceFirstSyn(quit)} after its SYN, before any answer could be expected`,
          frames: [quit.frame],
        });
        caveats.push(
          'The client aborted before a retry: try the connection again and let it run, capturing for at least 3 s',
        );
      } else {
        evidence.push({
          text: `The capture stops ${formatSeconds(observedAfterLastSyn)} after the SYN, with no answer yet — less than the ${formatSeconds(1)} a client waits before its first retry`,
          frames: lastSyn ? [lastSyn.frame] : [],
        });
        caveats.push(
          'Too short to tell a drop from a slow answer: capture for at least 3 s after the SYN (21 s to see a legacy Windows client give up), or capture on the server too',
        );
      }
      headline = sa
        ? `Inconclusive: ${server} answered SYN/ACK (port ${port} is open), but the capture stops before the handshake could complete.`
        : quit
          ? `Inconclusive: the client gave up on its own ${sinceFirstSyn(quit)} after the SYN — too soon to tell.`
          : `Inconclusive: the capture shows the SYN but stops ${formatSeconds(observedAfterLastSyn)} later — too soon to tell.`;
      break;
    }
    default:
      assertNever(verdict);
  }
  if (verdict === 'no-response' || verdict === 'inconclusive') caveats.push(...wildCaveats(input, syns, clientRsts));
  return { headline, evidence, caveats, whereEvidence: [] };
}

/** The sentence for the nmap and Zeek columns, e.g. "nmap: filtered · Zeek: S0". */
export function stateLine(nmap: NmapState, zeek: string): string {
  return `nmap: ${nmap} · Zeek: ${zeek}`;
}

interface WhereInput {
  where: Where;
  client: { verdict: Verdict; attempt: Attempt; frames: number[] };
  /** The same attempt in the server capture, when it is there; `dropped`: the server's own records show the drop. */
  server?: { verdict: Verdict; attempt: Attempt; parts: AttemptParts; dropped?: boolean };
  /** Server clock minus client clock, seconds; NaN if unknown. */
  clockOffset: number;
  /** How the two were matched. */
  matchedBy?: 'tuple' | 'isn';
}

/** Evidence for `where`, citing frames of both files ("client frame 3", "server frame 2"). */
function explainWhere(input: WhereInput): EvidenceStep[] {
  const { where, client, server, clockOffset, matchedBy } = input;
  const a = client.attempt;
  const target = hostPort(a.server, a.serverPort);
  const steps: EvidenceStep[] = [];
  if (server) {
    const s = server.attempt;
    const synFrames = server.parts.syns.map((p) => p.frame);
    steps.push({
      text: `The server capture has the same SYN (Seq ${a.isn}${matchedBy === 'isn' ? `; addresses rewritten on the way — NAT — so matched by Seq alone: ${hostPort(s.client, s.clientPort)} → ${hostPort(s.server, s.serverPort)} there` : ''}) in server ${synFrames.length === 1 ? 'frame' : 'frames'} ${synFrames.join(', ')}${Number.isFinite(clockOffset) ? ` (the server's clock runs ${formatSeconds(Math.abs(clockOffset))} ${clockOffset >= 0 ? 'ahead of' : 'behind'} the client's)` : ''}`,
      frames: [],
    });
  }
  switch (where) {
    case 'none':
      steps.push({
        text:
          client.verdict === 'connected'
            ? 'Nothing was lost: the handshake completed'
            : `Nothing was lost on the way: the client received the server's answer (${client.verdict})`,
        frames: [],
      });
      break;
    case 'path': {
      const icmp = client.attempt.packets.find((p) => p.role === 'icmp');
      steps.push({
        text: icmp
          ? `Client frame ${icmp.frame}: router ${icmp.routerAddress} turned the SYN back with ICMP ${icmpName(icmp.icmpVersion ?? 4, icmp.icmpCode ?? -1)}; it never reached the server`
          : `The SYN left the client (client ${client.frames.length === 1 ? 'frame' : 'frames'} ${client.frames.slice(0, 5).join(', ')}) but never reached the server capture: something on the path between them dropped it`,
        frames: icmp ? [icmp.frame] : [],
      });
      break;
    }
    case 'server': {
      const answered = server?.parts.icmp[0];
      const refusal = client.attempt.packets.find((p) => p.role === 'rst');
      steps.push({
        text: refusal
          ? `The SYN reached ${a.server}, which refused it: client frame ${refusal.frame} is its RST, and nothing listens on port ${a.serverPort}`
          : answered
            ? `The SYN reached ${a.server}, which answered ICMP ${icmpName(answered.icmpVersion ?? 4, answered.icmpCode ?? -1)} instead of TCP: a host firewall rejecting`
            : server?.dropped
              ? `The SYN reached ${a.server}, and the server capture shows nothing sent back: the server's own records below say it dropped the SYN`
              : `The SYN reached ${a.server}, and the server capture shows nothing sent back: its host firewall dropped it, or nothing listens on port ${a.serverPort} behind a firewall that drops`,
        frames: refusal ? [refusal.frame] : [],
      });
      break;
    }
    case 'return-path': {
      const answer = server?.parts.synAcks[0] ?? server?.parts.serverRsts[0];
      steps.push({
        text: `${target} answered (${answer && answer.flags & SYN ? 'SYN/ACK' : 'RST'} in server frame ${answer?.frame ?? '?'}), but the answer never reached the client: it was dropped on the way back`,
        frames: [],
      });
      break;
    }
    default:
      assertNever(where);
  }
  return steps;
}

/**
 * The checksum-offload finding: the red herring on sent packets, real damage on received ones.
 * Offload only ever touches what the capturing host sends, so it is never the explanation for a
 * received packet; `directionRecorded` says whether the file itself marks packets as received.
 */
export function offloadText(
  offloadCount: number,
  offloadHosts: string[],
  corruptCount: number,
  directionRecorded = false,
): string[] {
  const text: string[] = [];
  const one = (n: number, singular: string, plural: string) => `${n} ${n === 1 ? singular : plural}`;
  if (offloadCount > 0) {
    const it = offloadCount === 1 ? 'It was' : 'They were';
    text.push(
      `${one(offloadCount, 'packet', 'packets')} sent by ${offloadHosts.join(', ') || 'the capturing host'} ${offloadCount === 1 ? 'shows' : 'show'} a wrong checksum ` +
        `(Network Monitor: [Bad CheckSum]). ${it} captured before the network card filled the checksum in — checksum offload. ` +
        `A red herring: ${offloadCount === 1 ? 'that packet' : 'those packets'} left with correct checksums.`,
    );
  }
  if (corruptCount > 0) {
    const received = one(corruptCount, 'received packet has', 'received packets have');
    text.push(
      directionRecorded
        ? `${received} a wrong checksum (the capture marks ${corruptCount === 1 ? 'it' : 'them'} as received). Offload cannot explain that — it only touches packets the capturing host sends: ` +
            `${corruptCount === 1 ? 'it was' : 'they were'} damaged on the way (or by a middlebox that rewrote ${corruptCount === 1 ? 'it' : 'them'} badly), and the receiver drops such packets.`
        : `${received} a wrong checksum, from a host that shows no sign of being the capturing one. Offload cannot explain that — it only touches packets the capturing host sends. ` +
            `Either ${corruptCount === 1 ? 'it was' : 'they were'} damaged on the way (or by a middlebox), and the receiver drops such packets; ` +
            `or this capture was not taken on the receiver: on a mirror port or tap, or on the sending host itself, where its own offload leaves exactly this.`,
    );
  }
  return text;
}

/** A capture file that stops early. */
export function damagedCaptureText(message: string, packets: number): string {
  return `The file stops early (${message}); verdicts use the ${packets} packets before that.`;
}

export const NOTHING_MATCHED_TEXT =
  'No attempt appears in both captures: they may be of different moments, or something between the two rewrote the sequence numbers as well as the addresses.';

export function serverOnlyText(count: number): string {
  return `${count} ${count === 1 ? 'attempt appears' : 'attempts appear'} only in the server capture (the client capture started later, or they came from other clients).`;
}

// ---- Captures from the wild: ignored resets, missed answers, one-way captures, random TTLs ----

/** "no ACK", "Ack 5 instead of 1001", "SYN and RST together": why the client's TCP ignores a RST. */
function rstFault(r: AttemptPacket, isnPlus1: number): string {
  if (r.flags & SYN) return r.flags & ACK ? 'SYN, ACK and RST together' : 'SYN and RST together, no ACK';
  if (!(r.flags & ACK)) return 'no ACK bit';
  return `Ack ${r.ack} instead of ${isnPlus1}`;
}

/** RFC 9293 §3.10.7.3 / RFC 5961 §3: resets the client in SYN-SENT drops, and who sends them. */
function ignoredRstSteps(attempt: Attempt, serverRsts: AttemptPacket[], server: string): EvidenceStep[] {
  const isnPlus1 = (attempt.isn + 1) >>> 0;
  const ignored = serverRsts.filter((r) => !rstAcceptedBySynSent(r, attempt));
  if (ignored.length === 0) return [];
  const r = ignored[0];
  const more =
    ignored.length > 1
      ? ` (and ${plural(ignored.length - 1, 'more like it')}: ${frameList(frameNumbers(ignored.slice(1)))})`
      : '';
  return [
    {
      text: `Frame ${r.frame}: a RST claiming to come from ${server}, with ${rstFault(r, isnPlus1)}${more}. A client waiting for the answer to its SYN accepts a RST only with ACK set and Ack = the SYN's Seq + 1 (RFC 9293 §3.10.7.3, RFC 5961 §3), so this one was ignored by the client's TCP, which went on waiting. Wireshark shows it; the client never acted on it. It came from something on the path (a middlebox, an injector, a crafted probe), not as the server's answer, so it does not mean "closed"`,
      frames: frameNumbers(ignored),
    },
  ];
}

/** Hop count from the first SYN's TTL, only when the client's TTLs in the capture agree. */
function hopsIfConsistent(syns: AttemptPacket[], captureTtls: Iterable<number> | undefined): number {
  const own = syns.map((s) => s.ttl).filter((t): t is number => t !== undefined);
  if (!ttlsConsistent(own) || (captureTtls && !ttlsConsistent(captureTtls))) return 0;
  return routersBefore(syns[0]);
}

/** Caveats for an attempt with no answer: a missed SYN/ACK, or a capture that sees one direction. */
function wildCaveats(input: OneSideInput, syns: AttemptPacket[], clientRsts: AttemptPacket[]): string[] {
  const { attempt } = input;
  const caveats: string[] = [];
  const firstRetryAt = syns.length > 1 ? syns[1].t : Infinity;
  const reset = clientRsts.find((r) => kernelResetAfterMissedSynAck(r, attempt, firstRetryAt));
  if (reset) {
    caveats.push(
      `Frame ${reset.frame}: the client's RST has no ACK and Seq ${reset.seq} = its SYN's Seq + 1, ${formatSeconds(Math.max(0, reset.t - (syns[0]?.t ?? 0)))} after the SYN — what a TCP stack sends when a SYN/ACK arrives for a connection it has no socket for. A SYN/ACK reached the client that this capture did not hold (or a stateless scanner got the answer it wanted): port ${attempt.serverPort} was probably open`,
    );
  }
  if (input.hosts?.serverSilent) {
    caveats.push(
      `Nothing at all from ${attempt.server} is in this capture, to any host or port: if the capture point sees one direction only (a mirror port copying one direction, a capture filter such as "src host"), the silence may be the capture's blind spot rather than the network's`,
    );
  }
  return caveats;
}

/** Capture-level: connections whose start (the SYN) is not in the capture, so no attempt to judge. */
export function startNotCapturedText(
  count: number,
  partials: Array<{ attempt: Attempt; zeek: string; history: string }>,
): string | undefined {
  if (count === 0 || partials.length === 0) return undefined;
  const first = partials[0];
  const a = first.attempt;
  const frames = partials.slice(0, 5).map((p) => p.attempt.packets[0]?.frame);
  const from = `from ${hostPort(a.server, a.serverPort)} to ${hostPort(a.client, a.clientPort)}`;
  const what =
    count === 1
      ? `Frame ${frames[0]}: a SYN/ACK ${from} with no SYN before it and nothing from ${a.client} acknowledging it`
      : `${count} SYN/ACKs with no SYN before them and nothing acknowledging them (frames ${frames.join(', ')}${count > 5 ? ' …' : ''}; the first ${from})`;
  return `${what}: the start of ${count === 1 ? 'this connection is' : 'these connections is'} not in the capture, so there is no attempt to judge and no port is called open (Zeek: ${first.zeek}, history ${first.history}). A SYN/ACK without its SYN answers a SYN sent before the capture began, or is backscatter: a host answering SYNs whose source addresses were forged (a SYN flood).`;
}

/** Capture-level: hosts that sent nothing although others sent to them, and all-one-way captures. */
export function oneWayTexts(
  silent: Array<{ host: string; packetsTo: number; senders: number }>,
  allOneWay: boolean,
): string[] {
  if (allOneWay) {
    return [
      'Every conversation in this capture goes one way only: no host that received a packet ever sent one back. That is how a capture looks when the capture point sees one direction (a mirror port copying only one direction, a capture filter such as "src host"): the silence it shows proves nothing about the far side.',
    ];
  }
  return silent.map(
    (s) =>
      `Nothing at all from ${s.host} in this capture, although ${plural(s.packetsTo, 'packet')} went to it from ${plural(s.senders, 'host')}: either ${s.host} (or a filter in front of it) answers nothing, or the capture point only sees traffic towards it.`,
  );
}

// ---- The host's own records of a drop (drops.ts finds them; these are their words) ----

const DROPPED_PACKET_NAMES: Partial<Record<AttemptPacket['role'], string>> = {
  syn: 'SYN',
  'syn-retransmission': 'SYN retransmission',
  'syn-ack': 'SYN/ACK',
  'syn-ack-retransmission': 'SYN/ACK retransmission',
  rst: 'reset',
};

/** One evidence step for a pktmon drop event or a matched Windows Firewall DROP line. */
export function hostDropStep(drop: HostDrop): EvidenceStep {
  switch (drop.source) {
    case 'pktmon': {
      const what = DROPPED_PACKET_NAMES[drop.role] ?? 'packet';
      const component = `component ${drop.componentId}${drop.componentName ? ` (${drop.componentName})` : ''}`;
      const reason = drop.reasonName ? `${drop.reasonName} (drop reason ${drop.reason})` : `drop reason ${drop.reason}`;
      const meaning =
        drop.role === 'syn' || drop.role === 'syn-retransmission'
          ? ': Windows itself discarded the SYN, so no answer could come'
          : '';
      return {
        text: `Frame ${drop.frame}: pktmon logged this ${what} as dropped by ${component}: ${reason}, location 0x${drop.location.toString(16)}${meaning}`,
        frames: [drop.frame],
      };
    }
    case 'firewall': {
      const isSyn = drop.packet === 'syn';
      // The SYN goes client → server, the SYN/ACK back: the sender's or receiver's firewall is one of the two.
      const host =
        drop.loggedBy === 'unknown' ? 'a' : (drop.loggedBy === 'receiver') === isSyn ? "the server's" : "the client's";
      return {
        text: `Frame ${drop.frame}: ${host} Windows Firewall logged DROP for this ${isSyn ? 'SYN' : 'SYN/ACK'} at ${drop.time} on ${drop.date} (pfirewall.log line ${drop.line}${drop.path ? `, ${drop.path}` : ''})`,
        frames: [drop.frame],
      };
    }
    default:
      return assertNever(drop);
  }
}
