// The Protocol and Info columns of packets whose payload we name (decode/app): tshark's text
// for each protocol, and the per-conversation state a single pass in frame order keeps (the TLS
// version a ServerHello settled, whether SSH's version is known).
import { TcpFlag } from '../decode/tcp.ts';
import { formatIP } from './addresses.ts';
import type { Dissection } from '../decode/types.ts';
import type { TcpContext } from './tcp-context.ts';
import {
  chooseApplication,
  decodeApplication,
  noteApplication,
  type AppConversationState,
  type AppLayer,
} from '../decode/app/index.ts';
import { dhcpInfo } from '../decode/app/dhcp.ts';
import { dnsInfo } from '../decode/app/dns.ts';
import { httpInfo, httpProtocolName } from '../decode/app/http.ts';
import { kerberosInfo } from '../decode/app/kerberos.ts';
import { ntpInfo } from '../decode/app/ntp.ts';
import { rdpInfo, rdpProtocolName } from '../decode/app/rdp.ts';
import { smb2Info } from '../decode/app/smb2.ts';
import { sshInfo } from '../decode/app/ssh.ts';
import { negotiatedTlsVersion, tlsInfo, tlsProtocolName } from '../decode/app/tls.ts';

/** The two columns for an application layer; `state` is its conversation's before this packet. */
export function applicationColumns(
  app: AppLayer,
  state: AppConversationState | undefined,
): { protocol: string; info: string } {
  switch (app.protocol) {
    case 'dns':
      return { protocol: 'DNS', info: dnsInfo(app) };
    case 'http':
      return { protocol: httpProtocolName(app), info: httpInfo(app) };
    case 'tls':
      return { protocol: tlsProtocolName(app, negotiatedTlsVersion(app) ?? state?.tlsVersion), info: tlsInfo(app) };
    case 'kerberos':
      return { protocol: 'KRB5', info: kerberosInfo(app) };
    case 'rdp':
      return { protocol: rdpProtocolName(app), info: rdpInfo(app) };
    case 'smb2':
      return { protocol: 'SMB2', info: smb2Info(app) };
    case 'ssh':
      return {
        protocol: state?.sshVersion === undefined ? 'SSH' : `SSHv${state.sshVersion}`,
        info: sshInfo(app, state?.sshKex),
      };
    case 'ntp':
      return { protocol: 'NTP', info: ntpInfo(app) };
    case 'dhcp':
      return { protocol: 'DHCP', info: dhcpInfo(app) };
  }
}

/** A TCP or UDP conversation, either direction: "6|a|1234|b|80" with the lower endpoint first. */
function conversationKey(d: Dissection): string | undefined {
  const transport = d.tcp ?? d.udp;
  if (transport === undefined || d.ip === undefined) return undefined;
  const a = `${formatIP(d.ip.src)}|${transport.srcPort}`;
  const b = `${formatIP(d.ip.dst)}|${transport.dstPort}`;
  return `${d.tcp ? 't' : 'u'}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
}

/**
 * tshark hands a retransmitted or out-of-order segment to no application dissector (its bytes
 * were, or will be, handed over once in sequence): such a packet stays TCP.
 */
const NOT_HANDED_OVER = [
  'TCP Retransmission',
  'TCP Fast Retransmission',
  'TCP Spurious Retransmission',
  'TCP Out-Of-Order',
];

export const handsPayloadOver = (notes: readonly string[] | undefined): boolean =>
  notes === undefined || !notes.some((note) => NOT_HANDED_OVER.includes(note));

/** A message begun in earlier segments of one direction, waiting for the rest. */
interface PendingMessage {
  /**
   * Its bytes so far: the first `length` bytes of a buffer of its own, with room to grow. A
   * segment that continues it is appended in place (the buffer doubles when full), so a message
   * of n segments costs O(n) copying, where a new copy per segment cost O(n²): a 200 KB HTTP
   * body in 1,460-byte segments was 15 MB of copies.
   */
  buffer: Uint8Array;
  length: number;
  /** The relative sequence number the next segment must start at to continue it. */
  nextSeq: number;
}

type MessageBytes = Pick<PendingMessage, 'buffer' | 'length'>;

/** `bytes[start, end)` appended to `message` (in its buffer when there is room), or on their own. */
function appended(message: MessageBytes | undefined, bytes: Uint8Array, start: number, end: number): MessageBytes {
  const have = message?.length ?? 0;
  const need = have + end - start;
  let buffer = message?.buffer;
  if (buffer === undefined || buffer.length < need) {
    const grown = new Uint8Array(Math.max(need, 2 * (buffer?.length ?? 0)));
    if (buffer !== undefined) grown.set(buffer.subarray(0, have));
    buffer = grown;
  }
  buffer.set(bytes.subarray(start, end), have);
  return { buffer, length: need };
}

/** Messages longer than this are not reassembled (tshark's limit is memory; ours is a page's). */
const MAX_REASSEMBLY = 256 * 1024;

/**
 * Names the application layer of packets described in frame order, keeping each conversation's
 * state and, per TCP direction, the start of a message that continues in later segments: the
 * segment that completes it is named, as tshark's reassembly does, the ones before stay TCP.
 */
export class ApplicationTracker {
  readonly #states = new Map<string, AppConversationState>();
  readonly #pending = new Map<string, PendingMessage>();

  /**
   * The packet's application layer and its columns, or undefined when it has none. `tcp` is the
   * packet's TCP analysis (relative sequence number, notes), for TCP packets.
   */
  describe(
    bytes: Uint8Array,
    d: Dissection,
    tcp?: Pick<TcpContext, 'relativeSeq' | 'notes'>,
  ): { app: AppLayer; protocol: string; info: string } | undefined {
    const transport = d.tcp ?? d.udp;
    if (transport === undefined || d.problem !== undefined || !handsPayloadOver(tcp?.notes)) return undefined;
    const key = conversationKey(d);
    let state = key === undefined ? undefined : this.#states.get(key);
    let data = bytes;
    /** The message this segment continued, when it continued one: its buffer is `data`. */
    let reassembled: MessageBytes | undefined;
    let start = transport.payloadOffset;
    let end = Math.min(transport.payloadEnd, bytes.length);
    if (end <= start) return undefined;
    const direction =
      d.tcp !== undefined && key !== undefined ? `${key}|${transport.srcPort}|${addressOf(d)}` : undefined;
    const complete = d.tcp === undefined || end - start === d.tcp.payloadLength;
    if (direction !== undefined && tcp !== undefined) {
      const pending = this.#pending.get(direction);
      this.#pending.delete(direction);
      if (pending !== undefined && pending.nextSeq === tcp.relativeSeq && complete) {
        reassembled = appended(pending, bytes, start, end);
        data = reassembled.buffer;
        start = 0;
        end = reassembled.length;
      }
    }
    const choice = chooseApplication(
      data,
      start,
      end,
      transport.srcPort,
      transport.dstPort,
      d.tcp !== undefined,
      state,
    );
    if (choice === undefined || 'malformed' in choice.decoded) return undefined;
    const nextSeq = tcp === undefined || d.tcp === undefined ? 0 : tcp.relativeSeq + d.tcp.payloadLength;
    if ('truncated' in choice.decoded) {
      if (direction !== undefined && tcp !== undefined && complete && end - start < MAX_REASSEMBLY) {
        // Still unfinished: the buffer it was put together in goes on holding it.
        const kept = reassembled ?? appended(undefined, data, start, end);
        this.#pending.set(direction, { ...kept, nextSeq });
      }
      return undefined;
    }
    const app = choice.decoded;
    // A SYN starts its direction's byte stream, so nothing in it continues an earlier message
    // (tshark leaves such a SYN's payload to TCP, as here).
    if (app.protocol === 'rdp' && app.continuation && d.tcp !== undefined && (d.tcp.flags & TcpFlag.SYN) !== 0)
      return undefined;
    // What follows the complete messages may begin the next one.
    const rest = app.offset + app.length;
    if (direction !== undefined && tcp !== undefined && complete && rest < end) {
      const next = chooseApplication(data, rest, end, transport.srcPort, transport.dstPort, true, state);
      if (next !== undefined && 'truncated' in next.decoded)
        this.#pending.set(direction, { ...appended(undefined, data, rest, end), nextSeq });
    }
    const columns = applicationColumns(app, state);
    if (key !== undefined) {
      if (state === undefined) this.#states.set(key, (state = {}));
      noteApplication(app, state);
    }
    return { app, ...columns };
  }
}

const addressOf = (d: Dissection): string => (d.ip === undefined ? '' : formatIP(d.ip.src));

/** The columns of one packet's application layer read alone, without its conversation's history. */
export function applicationColumnsOf(
  bytes: Uint8Array,
  d: Dissection,
  tcpNotes?: readonly string[],
): { protocol: string; info: string } | undefined {
  if (!handsPayloadOver(tcpNotes)) return undefined;
  const app = decodeApplication(bytes, d);
  return app === undefined ? undefined : applicationColumns(app, undefined);
}
