// The Protocol and Info columns of packets whose payload we name (decode/app): tshark's text
// for each protocol, and the per-conversation state a single pass in frame order keeps (the TLS
// version a ServerHello settled, whether SSH's version is known).
import { formatIP } from './addresses.ts';
import type { Dissection } from '../decode/types.ts';
import { decodeApplication, noteApplication, type AppConversationState, type AppLayer } from '../decode/app/index.ts';
import { dhcpInfo } from '../decode/app/dhcp.ts';
import { dnsInfo } from '../decode/app/dns.ts';
import { httpInfo } from '../decode/app/http.ts';
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
      return { protocol: 'HTTP', info: httpInfo(app) };
    case 'tls':
      return { protocol: tlsProtocolName(app, negotiatedTlsVersion(app) ?? state?.tlsVersion), info: tlsInfo(app) };
    case 'kerberos':
      return { protocol: 'KRB5', info: kerberosInfo(app) };
    case 'rdp':
      return { protocol: rdpProtocolName(app), info: rdpInfo(app) };
    case 'smb2':
      return { protocol: 'SMB2', info: smb2Info(app) };
    case 'ssh':
      return { protocol: state?.sshVersion === undefined ? 'SSH' : `SSHv${state.sshVersion}`, info: sshInfo(app) };
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

/** Names the application layer of packets described in frame order, keeping each conversation's state. */
export class ApplicationTracker {
  readonly #states = new Map<string, AppConversationState>();

  /** The packet's application layer and its columns, or undefined when it has none. */
  describe(bytes: Uint8Array, d: Dissection): { app: AppLayer; protocol: string; info: string } | undefined {
    if (d.tcp === undefined && d.udp === undefined) return undefined;
    const key = conversationKey(d);
    let state = key === undefined ? undefined : this.#states.get(key);
    const app = decodeApplication(bytes, d, state);
    if (app === undefined) return undefined;
    const columns = applicationColumns(app, state);
    if (key !== undefined) {
      if (state === undefined) this.#states.set(key, (state = {}));
      noteApplication(app, state);
    }
    return { app, ...columns };
  }
}

/** The columns of one packet's application layer read alone, without its conversation's history. */
export function applicationColumnsOf(bytes: Uint8Array, d: Dissection): { protocol: string; info: string } | undefined {
  const app = decodeApplication(bytes, d);
  return app === undefined ? undefined : applicationColumns(app, undefined);
}
