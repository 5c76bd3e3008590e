// Application layers: enough of each protocol for the Protocol and Info columns, the details
// tree and the filter fields tshark has for it — not a full dissection. Every decoder has the
// project's one shape, decodeX(bytes, offset, end) → layer | Truncated | Malformed, and keeps
// offsets into the frame rather than copies where a field is a run of bytes.
import type { Span } from '../types.ts';

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsAnswer {
  name: string;
  type: number;
  /** The record's data as tshark's Info column prints it ("10.0.0.2", "10 mail.example"), or '' when it prints none. */
  summary: string;
}

export interface DnsLayer extends Span {
  protocol: 'dns';
  /** Over TCP, the two-byte length prefix (RFC 1035 4.2.2); undefined over UDP. */
  tcpLength?: number;
  id: number;
  flags: number;
  response: boolean;
  opcode: number;
  rcode: number;
  questionCount: number;
  answerCount: number;
  authorityCount: number;
  additionalCount: number;
  questions: DnsQuestion[];
  answers: DnsAnswer[];
}

export interface HttpLayer extends Span {
  protocol: 'http';
  /** The first line without its CRLF: "GET / HTTP/1.1" or "HTTP/1.1 200 OK". */
  firstLine: string;
  request?: { method: string; uri: string; version: string };
  response?: { version: string; code: number; phrase: string };
  host?: string;
  /** The media type of Content-Type, without parameters. */
  contentType?: string;
  /**
   * What tshark's dissector for the body calls it, where that replaces the media type in the
   * Info column: "PNG", "GIF89a", "JPEG JFIF image"; "XML" is shown as HTTP/XML instead.
   */
  bodyLabel?: string;
  /** Where the headers end (after the blank line), and where the body would. */
  headerEnd: number;
}

export interface TlsHandshake {
  type: number;
  /** ClientHello/ServerHello legacy_version, and the version the supported_versions extension picks. */
  version?: number;
  selectedVersion?: number;
  serverName?: string;
  /** A ServerHello that is a HelloRetryRequest (RFC 8446 4.1.3). */
  helloRetry?: boolean;
}

export interface TlsRecord extends Span {
  contentType: number;
  version: number;
  /** Handshake messages in a plaintext handshake record; empty when the record is encrypted. */
  handshakes: TlsHandshake[];
  /** For a handshake record whose messages cannot be read (after Change Cipher Spec). */
  encrypted: boolean;
  alert?: { level: number; description: number };
}

export interface TlsLayer extends Span {
  protocol: 'tls';
  /** The complete records at the start of the segment; a record cut off by the segment's end is not one. */
  records: TlsRecord[];
}

export interface KerberosLayer extends Span {
  protocol: 'kerberos';
  /** Over TCP, the four-byte record mark (RFC 4120 7.2.2); undefined over UDP. */
  recordMark?: number;
  msgType: number;
  /** A TGS-REQ whose PA-TGS-REQ padata holds the AP-REQ (RFC 4120 5.4.1). */
  hasApReq?: boolean;
  errorCode?: number;
  realm?: string;
  clientName?: string;
}

export interface RdpLayer extends Span {
  protocol: 'rdp';
  /** The segment does not start with a TPKT header: the rest of a PDU (TLS after negotiation). */
  continuation: boolean;
  tpktLength: number;
  /** X.224 TPDU code: 0xE0 Connection Request, 0xD0 Connection Confirm, 0xF0 Data. */
  x224Code: number;
  /** "Cookie: mstshash=alice" (without CRLF), when the request carries one. */
  cookie?: string;
  routingToken?: string;
  /** RDP_NEG_REQ (1), RDP_NEG_RSP (2) or RDP_NEG_FAILURE (3), when present. */
  negType?: number;
  negFlags?: number;
  /** requestedProtocols, selectedProtocol or failureCode. */
  negValue?: number;
}

export interface Smb2Layer extends Span {
  protocol: 'smb2';
  /** NetBIOS session length before the SMB2 header (port 445 framing). */
  netbiosLength: number;
  command: number;
  status: number;
  response: boolean;
  messageId: number;
  /** Every SMB2 header in the segment (compounded requests), command and response bit. */
  commands: Array<{ command: number; response: boolean; status: number; name?: string }>;
}

export interface SshLayer extends Span {
  protocol: 'ssh';
  /** The identification string ("SSH-2.0-OpenSSH_9.6") without CRLF; undefined for binary packets. */
  banner?: string;
  /** The message codes of the readable binary packets in the segment (KEXINIT 20, NEWKEYS 21…). */
  messageCodes: number[];
  /** A KEXINIT's kex_algorithms name-list. */
  kexAlgorithms?: string[];
  /** True once the packet cannot be read (encrypted). */
  encrypted: boolean;
  /** Encrypted because this side sent NEWKEYS (rather than never readable). */
  encryptedByKeys?: boolean;
  fromServer: boolean;
}

export interface NtpLayer extends Span {
  protocol: 'ntp';
  leap: number;
  version: number;
  mode: number;
  stratum: number;
}

export interface DhcpLayer extends Span {
  protocol: 'dhcp';
  op: number;
  transactionId: number;
  /** Option 53, the DHCP message type; undefined for plain BOOTP. */
  messageType?: number;
  clientMac?: Uint8Array;
}

export type AppLayer =
  DnsLayer | HttpLayer | TlsLayer | KerberosLayer | RdpLayer | Smb2Layer | SshLayer | NtpLayer | DhcpLayer;

export type AppProtocol = AppLayer['protocol'];
