// The packet details node of an application layer (decode/app): the protocol's name as Wireshark
// heads it, and one child per filter field we register, so a click can apply it as a filter.
import type { AppLayer } from '../decode/app/types.ts';
import { DNS_RCODE_NAMES, dnsTypeName } from '../decode/app/dns.ts';
import { KERBEROS_ERROR_NAMES, KERBEROS_MESSAGE_NAMES } from '../decode/app/kerberos.ts';
import { SMB2_COMMAND_NAMES } from '../decode/app/smb2.ts';
import { DHCP_MESSAGE_NAMES } from '../decode/app/dhcp.ts';
import { TLS_VERSION_NAMES } from '../decode/app/tls.ts';
import type { TreeNode } from './packet-tree.ts';

const hex = (n: number, width: number): string => '0x' + n.toString(16).padStart(width, '0');
const quoted = (text: string): string => JSON.stringify(text);

/** A child spanning the whole layer: our layers keep offsets for the header, not every field. */
function child(
  app: AppLayer,
  label: string,
  field: string,
  value: string | number,
  shown: string | number = value,
): TreeNode {
  return { label: `${label}: ${shown}`, field, value: String(value), offset: app.offset, length: app.length };
}

function children(app: AppLayer): TreeNode[] {
  switch (app.protocol) {
    case 'dns':
      return [
        child(app, 'Transaction ID', 'dns.id', hex(app.id, 4)),
        child(
          app,
          'Response',
          'dns.flags.response',
          app.response ? 1 : 0,
          app.response ? 'Message is a response' : 'Message is a query',
        ),
        child(app, 'Opcode', 'dns.flags.opcode', app.opcode),
        ...(app.response
          ? [child(app, 'Reply code', 'dns.flags.rcode', app.rcode, DNS_RCODE_NAMES[app.rcode] ?? app.rcode)]
          : []),
        ...app.questions.map((q) =>
          child(app, `Query (${dnsTypeName(q.type)})`, 'dns.qry.name', quoted(q.name), q.name),
        ),
        ...app.answers.map((a) => ({
          label: `Answer: ${a.name} ${dnsTypeName(a.type)}${a.summary ? ` ${a.summary}` : ''}`,
          offset: app.offset,
          length: app.length,
        })),
      ];
    case 'http':
      return [
        ...(app.request
          ? [
              child(app, 'Request Method', 'http.request.method', quoted(app.request.method), app.request.method),
              child(app, 'Request URI', 'http.request.uri', quoted(app.request.uri), app.request.uri),
            ]
          : []),
        ...(app.response ? [child(app, 'Status Code', 'http.response.code', app.response.code)] : []),
        ...(app.host !== undefined ? [child(app, 'Host', 'http.host', quoted(app.host), app.host)] : []),
      ];
    case 'tls':
      return app.records.map((r) => ({
        label: `TLS Record: ${TLS_VERSION_NAMES[r.version] ?? hex(r.version, 4)}, content type ${r.contentType}, ${r.length - 5} bytes`,
        field: 'tls.record.content_type',
        value: String(r.contentType),
        offset: r.offset,
        length: r.length,
        children: r.handshakes.flatMap((m) =>
          m.serverName !== undefined
            ? [
                {
                  label: `Server Name: ${m.serverName}`,
                  field: 'tls.handshake.extensions_server_name',
                  value: quoted(m.serverName),
                  offset: r.offset,
                  length: r.length,
                },
              ]
            : [],
        ),
      }));
    case 'kerberos':
      return [
        child(
          app,
          'msg-type',
          'kerberos.msg_type',
          app.msgType,
          `${KERBEROS_MESSAGE_NAMES[app.msgType] ?? '?'} (${app.msgType})`,
        ),
        ...(app.errorCode !== undefined
          ? [
              child(
                app,
                'error-code',
                'kerberos.error_code',
                app.errorCode,
                `KRB5${KERBEROS_ERROR_NAMES[app.errorCode] ?? '?'} (${app.errorCode})`,
              ),
            ]
          : []),
        ...(app.realm !== undefined ? [child(app, 'realm', 'kerberos.realm', quoted(app.realm), app.realm)] : []),
        ...(app.clientName !== undefined
          ? [child(app, 'CNameString', 'kerberos.CNameString', quoted(app.clientName), app.clientName)]
          : []),
      ];
    case 'rdp':
      return [
        ...(app.cookie !== undefined
          ? [child(app, 'Routing Token/Cookie', 'rdp.rt_cookie', quoted(app.cookie), app.cookie)]
          : []),
        ...(app.negType !== undefined ? [child(app, 'Type', 'rdp.neg_type', hex(app.negType, 2))] : []),
        ...(app.negType === 1 && app.negValue !== undefined
          ? [child(app, 'requestedProtocols', 'rdp.negReq.requestedProtocols', hex(app.negValue, 8))]
          : []),
        ...(app.negType === 2 && app.negValue !== undefined
          ? [child(app, 'selectedProtocol', 'rdp.negReq.selectedProtocol', hex(app.negValue, 8))]
          : []),
      ];
    case 'smb2':
      return app.commands.map((c) =>
        child(
          app,
          'Command',
          'smb2.cmd',
          c.command,
          `${SMB2_COMMAND_NAMES[c.command] ?? 'Unknown'} (${c.command})${c.response ? ', response' : ''}`,
        ),
      );
    case 'ssh':
      return [
        ...(app.banner !== undefined ? [child(app, 'Protocol', 'ssh.protocol', quoted(app.banner), app.banner)] : []),
        ...app.messageCodes.map((code) => child(app, 'Message Code', 'ssh.message_code', code)),
      ];
    case 'ntp':
      return [
        child(app, 'Version number', 'ntp.flags.vn', app.version),
        child(app, 'Mode', 'ntp.flags.mode', app.mode),
        child(app, 'Peer Clock Stratum', 'ntp.stratum', app.stratum),
      ];
    case 'dhcp':
      return [
        child(app, 'Transaction ID', 'dhcp.id', hex(app.transactionId, 8)),
        ...(app.messageType !== undefined
          ? [
              child(
                app,
                'DHCP Message Type',
                'dhcp.option.dhcp',
                app.messageType,
                `${DHCP_MESSAGE_NAMES[app.messageType] ?? '?'} (${app.messageType})`,
              ),
            ]
          : []),
      ];
  }
}

const HEADINGS: Readonly<Record<AppLayer['protocol'], [string, string]>> = {
  dns: ['Domain Name System', 'dns'],
  http: ['Hypertext Transfer Protocol', 'http'],
  tls: ['Transport Layer Security', 'tls'],
  kerberos: ['Kerberos', 'kerberos'],
  rdp: ['Remote Desktop Protocol', 'rdp'],
  smb2: ['SMB2 (Server Message Block Protocol version 2)', 'smb2'],
  ssh: ['SSH Protocol', 'ssh'],
  ntp: ['Network Time Protocol', 'ntp'],
  dhcp: ['Dynamic Host Configuration Protocol', 'dhcp'],
};

/** The details node of a packet's application layer (offsets into the frame: read the packet alone). */
export function applicationTree(app: AppLayer): TreeNode {
  const [label, field] = HEADINGS[app.protocol];
  return { label, field, offset: app.offset, length: app.length, children: children(app) };
}
