// Filter fields of the application protocols (decode/app), under Wireshark's names. A packet's
// application layer is read from that packet alone: a message tshark reassembles from several
// segments has its fields on the last segment there and on none here (docs/FILTERS.md).
// Retransmitted and out-of-order segments carry none, as tshark hands them to no dissector.
import { TcpAnalysisFlag, tcpStreamsOf } from '../analysis/tcp-streams.ts';
import { decodeApplication, mayCarryApplication } from '../decode/app/index.ts';
import type { AppLayer, AppProtocol } from '../decode/app/types.ts';
import { Layer } from '../store/packet-store.ts';
import type { FieldContext, FieldDefinition, FieldKind, FieldReader, FieldValues } from './types.ts';

const CACHE_KEY = 'app-layer';
const NOT_HANDED_OVER =
  TcpAnalysisFlag.Retransmission |
  TcpAnalysisFlag.FastRetransmission |
  TcpAnalysisFlag.SpuriousRetransmission |
  TcpAnalysisFlag.OutOfOrder;

/** The last packet's application layer, so the fields of one filter decode a packet once. */
interface LastApp {
  index: number;
  app: AppLayer | undefined;
}

/** Packet `index`'s application layer, or undefined. */
export function applicationLayerOf(context: FieldContext, index: number): AppLayer | undefined {
  let last = context.cache.get(CACHE_KEY) as LastApp | undefined;
  if (last === undefined) context.cache.set(CACHE_KEY, (last = { index: -1, app: undefined }));
  if (last.index === index) return last.app;
  last.index = index;
  last.app = undefined;
  const store = context.store;
  const c = store.columns;
  const layers = c.layers[index];
  const overTcp = (layers & Layer.Tcp) !== 0;
  if ((!overTcp && (layers & Layer.Udp) === 0) || (layers & (Layer.Problem | Layer.IcmpQuote)) !== 0) return undefined;
  if (!context.fromDissection) {
    if (c.payloadLength[index] === 0) return undefined;
    const bytes = store.bytesOf(index);
    if (!mayCarryApplication(c.srcPort[index], c.dstPort[index], overTcp, bytes[c.payloadOffset[index]]))
      return undefined;
  }
  if (overTcp && (tcpStreamsOf(context.capture).analysisFlags[index] & NOT_HANDED_OVER) !== 0) return undefined;
  last.app = decodeApplication(store.bytesOf(index), store.dissectionOf(index));
  return last.app;
}

type Layers = { [P in AppProtocol]: Extract<AppLayer, { protocol: P }> };

const encoder = new TextEncoder();
const pushText = (out: FieldValues, text: string): void => out.pushBytes(encoder.encode(text));

/** A field of protocol `protocol`, read from its layer by `get`. */
function appField<P extends AppProtocol>(
  protocol: P,
  name: string,
  description: string,
  kind: FieldKind,
  bits: number | undefined,
  get: (layer: Layers[P], out: FieldValues) => void,
  extra: Partial<FieldDefinition> = {},
): FieldDefinition {
  const read: FieldReader = (context, index, out) => {
    const app = applicationLayerOf(context, index);
    if (app !== undefined && app.protocol === protocol) get(app as Layers[P], out);
  };
  return { name, kind, bits, description, ...extra, read, reference: { read } };
}

/** The protocol itself (`dns`, `tls`…): present, and its bytes for `contains` / slices. */
function appProtocol(protocol: AppProtocol, name: string, description: string): FieldDefinition {
  const read: FieldReader = (context, index, out) => {
    if (applicationLayerOf(context, index)?.protocol === protocol) out.pushPresent();
  };
  const readBytes: FieldReader = (context, index, out) => {
    const app = applicationLayerOf(context, index);
    if (app?.protocol !== protocol) return;
    const bytes = context.store.bytesOf(index);
    out.pushBytes(bytes.subarray(app.offset, Math.min(bytes.length, app.offset + app.length)));
  };
  return { name, kind: 'protocol', description, read, readBytes, withinFrame: true, reference: { read, readBytes } };
}

const ipv4Value = (text: string): number => text.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);

export const applicationFields: FieldDefinition[] = [
  appProtocol('dns', 'dns', 'Domain Name System'),
  appField('dns', 'dns.id', 'Transaction ID', 'uint', 16, (l, out) => out.pushNumber(l.id)),
  appField('dns', 'dns.flags.response', 'Response', 'bool', undefined, (l, out) => out.pushNumber(l.response ? 1 : 0)),
  appField('dns', 'dns.flags.opcode', 'Opcode', 'uint', 16, (l, out) => out.pushNumber(l.opcode)),
  appField('dns', 'dns.flags.rcode', 'Reply code', 'uint', 16, (l, out) => {
    if (l.response) out.pushNumber(l.rcode);
  }),
  appField('dns', 'dns.count.answers', 'Answer RRs', 'uint', 16, (l, out) => out.pushNumber(l.answerCount)),
  appField('dns', 'dns.qry.name', 'Name', 'string', undefined, (l, out) => {
    for (const q of l.questions) pushText(out, q.name);
  }),
  appField('dns', 'dns.qry.type', 'Type', 'uint', 16, (l, out) => {
    for (const q of l.questions) out.pushNumber(q.type);
  }),
  appField('dns', 'dns.a', 'Address', 'ipv4', undefined, (l, out) => {
    for (const a of l.answers) if (a.type === 1 && a.summary !== '') out.pushNumber(ipv4Value(a.summary));
  }),

  appProtocol('http', 'http', 'Hypertext Transfer Protocol'),
  appField('http', 'http.request', 'Request', 'bool', undefined, (l, out) => {
    if (l.request) out.pushNumber(1);
  }),
  appField('http', 'http.response', 'Response', 'bool', undefined, (l, out) => {
    if (l.response) out.pushNumber(1);
  }),
  appField('http', 'http.request.method', 'Request Method', 'string', undefined, (l, out) => {
    if (l.request) pushText(out, l.request.method);
  }),
  appField('http', 'http.request.uri', 'Request URI', 'string', undefined, (l, out) => {
    if (l.request) pushText(out, l.request.uri);
  }),
  appField('http', 'http.request.version', 'Request Version', 'string', undefined, (l, out) => {
    if (l.request) pushText(out, l.request.version);
  }),
  appField('http', 'http.response.code', 'Status Code', 'uint', 16, (l, out) => {
    if (l.response) out.pushNumber(l.response.code);
  }),
  appField('http', 'http.host', 'Host', 'string', undefined, (l, out) => {
    if (l.host !== undefined) pushText(out, l.host);
  }),

  appProtocol('tls', 'tls', 'Transport Layer Security'),
  appField('tls', 'tls.record.content_type', 'Content Type', 'uint', 8, (l, out) => {
    for (const r of l.records) out.pushNumber(r.contentType);
  }),
  appField('tls', 'tls.record.version', 'Version', 'uint', 16, (l, out) => {
    for (const r of l.records) out.pushNumber(r.version);
  }),
  appField('tls', 'tls.handshake.type', 'Handshake Message Type', 'uint', 8, (l, out) => {
    for (const r of l.records) for (const m of r.handshakes) out.pushNumber(m.type);
  }),
  appField('tls', 'tls.handshake.version', 'Version', 'uint', 16, (l, out) => {
    for (const r of l.records) for (const m of r.handshakes) if (m.version !== undefined) out.pushNumber(m.version);
  }),
  appField('tls', 'tls.handshake.extensions_server_name', 'Server Name', 'string', undefined, (l, out) => {
    for (const r of l.records)
      for (const m of r.handshakes) if (m.serverName !== undefined) pushText(out, m.serverName);
  }),

  appProtocol('kerberos', 'kerberos', 'Kerberos'),
  appField('kerberos', 'kerberos.msg_type', 'msg-type', 'int', 32, (l, out) => {
    out.pushNumber(l.msgType);
    // A TGS-REQ carries its AP-REQ in PA-TGS-REQ, which tshark dissects as a second message.
    if (l.hasApReq) out.pushNumber(14);
  }),
  appField('kerberos', 'kerberos.error_code', 'error-code', 'int', 32, (l, out) => {
    if (l.errorCode !== undefined) out.pushNumber(l.errorCode);
  }),
  appField('kerberos', 'kerberos.realm', 'realm', 'string', undefined, (l, out) => {
    if (l.realm !== undefined) pushText(out, l.realm);
  }),
  appField('kerberos', 'kerberos.CNameString', 'CNameString', 'string', undefined, (l, out) => {
    if (l.clientName !== undefined) pushText(out, l.clientName);
  }),

  appProtocol('rdp', 'rdp', 'Remote Desktop Protocol'),
  appField('rdp', 'rdp.neg_type', 'Type', 'uint', 8, (l, out) => {
    if (l.negType !== undefined) out.pushNumber(l.negType);
  }),
  appField('rdp', 'rdp.rt_cookie', 'Routing Token/Cookie', 'string', undefined, (l, out) => {
    if (l.cookie !== undefined) pushText(out, l.cookie);
  }),
  appField('rdp', 'rdp.negReq.requestedProtocols', 'requestedProtocols', 'uint', 32, (l, out) => {
    if (l.negType === 1 && l.negValue !== undefined) out.pushNumber(l.negValue);
  }),
  appField('rdp', 'rdp.negReq.selectedProtocol', 'selectedProtocol', 'uint', 32, (l, out) => {
    if (l.negType === 2 && l.negValue !== undefined) out.pushNumber(l.negValue);
  }),

  appProtocol('smb2', 'smb2', 'SMB2 (Server Message Block Protocol version 2)'),
  appField('smb2', 'smb2.cmd', 'Command', 'uint', 16, (l, out) => {
    for (const c of l.commands) out.pushNumber(c.command);
  }),
  appField('smb2', 'smb2.flags.response', 'Response', 'bool', undefined, (l, out) => {
    for (const c of l.commands) out.pushNumber(c.response ? 1 : 0);
  }),
  appField('smb2', 'smb2.nt_status', 'NT Status', 'uint', 32, (l, out) => {
    for (const c of l.commands) out.pushNumber(c.status);
  }),

  appProtocol('ssh', 'ssh', 'SSH Protocol'),
  appField('ssh', 'ssh.protocol', 'Protocol', 'string', undefined, (l, out) => {
    if (l.banner !== undefined) pushText(out, l.banner);
  }),
  appField('ssh', 'ssh.message_code', 'Message Code', 'uint', 8, (l, out) => {
    for (const code of l.messageCodes) out.pushNumber(code);
  }),

  appProtocol('ntp', 'ntp', 'Network Time Protocol'),
  appField('ntp', 'ntp.flags.vn', 'Version number', 'uint', 8, (l, out) => out.pushNumber(l.version)),
  appField('ntp', 'ntp.flags.mode', 'Mode', 'uint', 8, (l, out) => out.pushNumber(l.mode)),
  // Control (6) and private (7) messages have no stratum.
  appField('ntp', 'ntp.stratum', 'Peer Clock Stratum', 'uint', 8, (l, out) => {
    if (l.mode >= 1 && l.mode <= 5) out.pushNumber(l.stratum);
  }),

  appProtocol('dhcp', 'dhcp', 'Dynamic Host Configuration Protocol'),
  appField('dhcp', 'dhcp.type', 'Message type', 'uint', 8, (l, out) => out.pushNumber(l.op)),
  appField('dhcp', 'dhcp.id', 'Transaction ID', 'uint', 32, (l, out) => out.pushNumber(l.transactionId)),
  appField('dhcp', 'dhcp.option.dhcp', 'DHCP', 'uint', 8, (l, out) => {
    if (l.messageType !== undefined) out.pushNumber(l.messageType);
  }),
];
