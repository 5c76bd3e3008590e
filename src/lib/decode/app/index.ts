// Chooses the application protocol of a TCP or UDP payload the way Wireshark does: by the
// registered port, the lower-numbered port of the two tried first, each decoder checking the
// content before claiming it (TPKT or TLS on 3389, a NetBIOS header on 445, an SSH banner).
// A decoder that finds its message continuing in a later segment returns Truncated, and the
// packet stays plain TCP, as tshark's single pass shows the segments of a reassembled PDU.
//
// Application layers are decoded on demand (describe, details, filters), never while a capture
// loads, so they cost nothing on the hot path.
import type { Dissection, Malformed, Truncated } from '../types.ts';
import { decodeDhcp } from './dhcp.ts';
import { decodeDns } from './dns.ts';
import { decodeHttp } from './http.ts';
import { decodeKerberos } from './kerberos.ts';
import { decodeNtp } from './ntp.ts';
import { decodeRdp } from './rdp.ts';
import { decodeSmb2 } from './smb2.ts';
import { decodeSsh } from './ssh.ts';
import { decodeTls, isTlsRecord } from './tls.ts';
import type { AppLayer, AppProtocol } from './types.ts';

export type * from './types.ts';

type Decoded = AppLayer | Truncated | Malformed | undefined;

/** What a conversation has shown so far, for decoders whose reading depends on earlier packets. */
export interface AppConversationState {
  /** The TLS version a ServerHello settled. */
  tlsVersion?: number;
  /** Set once an SSH identification string was seen (tshark then says SSHv2 / SSHv1). */
  sshVersion?: 1 | 2;
  /** NEWKEYS seen from the client (bit 1) or the server (bit 2): that side's packets are encrypted. */
  sshNewKeys?: number;
  /** Each side's KEXINIT key-exchange methods, and the one they agree on (the client's first the server has). */
  sshClientKex?: string[];
  sshServerKex?: string[];
  sshKex?: string;
}

interface PortDecoder {
  protocol: AppProtocol;
  decode: (
    bytes: Uint8Array,
    offset: number,
    end: number,
    serverIsSource: boolean,
    state?: AppConversationState,
  ) => Decoded;
}

const dnsTcp: PortDecoder = { protocol: 'dns', decode: (b, o, e) => decodeDns(b, o, e, true) };
const dnsUdp: PortDecoder = { protocol: 'dns', decode: (b, o, e) => decodeDns(b, o, e, false) };
const kerberosTcp: PortDecoder = { protocol: 'kerberos', decode: (b, o, e) => decodeKerberos(b, o, e, true) };
const kerberosUdp: PortDecoder = { protocol: 'kerberos', decode: (b, o, e) => decodeKerberos(b, o, e, false) };
const http: PortDecoder = { protocol: 'http', decode: (b, o, e) => decodeHttp(b, o, e) };
const tls: PortDecoder = {
  protocol: 'tls',
  decode: (b, o, e) => (isTlsRecord(b, o, e) ? decodeTls(b, o, e) : undefined),
};
const rdp: PortDecoder = { protocol: 'rdp', decode: (b, o, e) => decodeRdp(b, o, e) };
const smb2: PortDecoder = { protocol: 'smb2', decode: (b, o, e) => decodeSmb2(b, o, e) };
const ssh: PortDecoder = {
  protocol: 'ssh',
  decode: (b, o, e, fromServer, state) =>
    decodeSsh(b, o, e, fromServer, ((state?.sshNewKeys ?? 0) & (fromServer ? 2 : 1)) !== 0),
};
const ntp: PortDecoder = { protocol: 'ntp', decode: (b, o, e) => decodeNtp(b, o, e) };
const dhcp: PortDecoder = { protocol: 'dhcp', decode: (b, o, e) => decodeDhcp(b, o, e) };

/** Wireshark's registered ports (its "decode as" defaults) for the protocols we name. */
const TCP_PORTS: ReadonlyMap<number, PortDecoder> = new Map([
  [22, ssh],
  [53, dnsTcp],
  [80, http],
  [88, kerberosTcp],
  [443, tls],
  [445, smb2],
  [3128, http],
  [3389, rdp],
  [8080, http],
]);

const UDP_PORTS: ReadonlyMap<number, PortDecoder> = new Map([
  [53, dnsUdp],
  [67, dhcp],
  [68, dhcp],
  [88, kerberosUdp],
  [123, ntp],
]);

/**
 * Whether a payload between these ports may be an application layer we name: a registered
 * port, or for TCP a first byte that could start a TLS record. Lets a filter skip decoding.
 */
export function mayCarryApplication(srcPort: number, dstPort: number, overTcp: boolean, firstByte: number): boolean {
  const table = overTcp ? TCP_PORTS : UDP_PORTS;
  return table.has(srcPort) || table.has(dstPort) || (overTcp && firstByte >= 20 && firstByte <= 24);
}

/** What the port's protocol made of a payload: its layer, or why not (continued later, malformed). */
export interface AppChoice {
  protocol: AppProtocol;
  decoded: AppLayer | Truncated | Malformed;
}

/**
 * The protocol a TCP or UDP payload [start, end) belongs to, by port (the lower one tried
 * first), then, for TCP, by content (TLS records on any port, as Wireshark's heuristic does);
 * undefined when no protocol claims it.
 */
export function chooseApplication(
  bytes: Uint8Array,
  start: number,
  end: number,
  srcPort: number,
  dstPort: number,
  overTcp: boolean,
  state?: AppConversationState,
): AppChoice | undefined {
  if (end <= start) return undefined;
  const table = overTcp ? TCP_PORTS : UDP_PORTS;
  const low = Math.min(srcPort, dstPort);
  const high = Math.max(srcPort, dstPort);
  for (const port of low === high ? [low] : [low, high]) {
    const decoder = table.get(port);
    if (decoder === undefined) continue;
    const decoded = decoder.decode(bytes, start, end, srcPort === port, state);
    // A decoder that rejects the content leaves the payload to the next port, then to heuristics.
    if (decoded !== undefined) return { protocol: decoder.protocol, decoded };
  }
  if (overTcp && isTlsRecord(bytes, start, end)) return { protocol: 'tls', decoded: decodeTls(bytes, start, end) };
  return undefined;
}

/**
 * The application layer of a decoded TCP or UDP packet read alone, or undefined when it has
 * none we name (no payload, no protocol claims it, or its message continues in later segments:
 * tshark reassembles those and names the segment that completes them).
 */
export function decodeApplication(
  bytes: Uint8Array,
  d: Dissection,
  state?: AppConversationState,
): AppLayer | undefined {
  const transport = d.tcp ?? d.udp;
  if (transport === undefined || d.problem !== undefined) return undefined;
  const end = Math.min(transport.payloadEnd, bytes.length);
  const choice = chooseApplication(
    bytes,
    transport.payloadOffset,
    end,
    transport.srcPort,
    transport.dstPort,
    d.tcp !== undefined,
    state,
  );
  if (choice === undefined || 'truncated' in choice.decoded || 'malformed' in choice.decoded) return undefined;
  return choice.decoded;
}

/** Updates a conversation's state with a packet's application layer (call in frame order). */
export function noteApplication(app: AppLayer, state: AppConversationState): void {
  if (app.protocol === 'tls') {
    for (const record of app.records)
      for (const message of record.handshakes)
        if (message.type === 2) state.tlsVersion = message.selectedVersion ?? message.version;
  } else if (app.protocol === 'ssh') {
    if (app.banner !== undefined)
      state.sshVersion = app.banner.startsWith('SSH-1.') && !app.banner.startsWith('SSH-1.99') ? 1 : 2;
    if (app.messageCodes.includes(21)) state.sshNewKeys = (state.sshNewKeys ?? 0) | (app.fromServer ? 2 : 1);
    if (app.kexAlgorithms !== undefined) {
      if (app.fromServer) state.sshServerKex = app.kexAlgorithms;
      else state.sshClientKex = app.kexAlgorithms;
      const server = state.sshServerKex;
      if (state.sshClientKex !== undefined && server !== undefined)
        state.sshKex = state.sshClientKex.find((method) => server.includes(method));
    }
  }
}
