// TLS (RFC 5246, RFC 8446) records: content type, version, the handshake messages of a
// plaintext handshake record (with the ClientHello's server name and the version a ServerHello
// selects), alerts. Records after Change Cipher Spec cannot be read: they are reported encrypted.
import { truncated, u16 } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { TlsHandshake, TlsLayer, TlsRecord } from './types.ts';

const CONTENT_CHANGE_CIPHER_SPEC = 20;
const CONTENT_ALERT = 21;
const CONTENT_HANDSHAKE = 22;
const CONTENT_APPLICATION_DATA = 23;
const CONTENT_HEARTBEAT = 24;

const HANDSHAKE_CLIENT_HELLO = 1;
const HANDSHAKE_SERVER_HELLO = 2;
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_SUPPORTED_VERSIONS = 43;
/** A plaintext record is at most 2^14 bytes, a protected one 2^14 + 2048 (RFC 5246 6.2.3). */
const MAX_RECORD = 16384 + 2048;

/** The ServerHello random that marks a HelloRetryRequest (RFC 8446 4.1.3). */
const HELLO_RETRY_RANDOM = [
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11,
  0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

export const TLS_VERSION_NAMES: Readonly<Record<number, string>> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

const HANDSHAKE_NAMES: Readonly<Record<number, string>> = {
  0: 'Hello Request',
  1: 'Client Hello',
  2: 'Server Hello',
  3: 'Hello Verify Request',
  4: 'New Session Ticket',
  5: 'End of Early Data',
  8: 'Encrypted Extensions',
  11: 'Certificate',
  12: 'Server Key Exchange',
  13: 'Certificate Request',
  14: 'Server Hello Done',
  15: 'Certificate Verify',
  16: 'Client Key Exchange',
  20: 'Finished',
  22: 'Certificate Status',
  24: 'Key Update',
};

const ALERT_LEVELS: Readonly<Record<number, string>> = { 1: 'Warning', 2: 'Fatal' };
const ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'Close Notify',
  10: 'Unexpected Message',
  20: 'Bad Record MAC',
  21: 'Decryption Failed',
  22: 'Record Overflow',
  30: 'Decompression Failure',
  40: 'Handshake Failure',
  41: 'No Certificate',
  42: 'Bad Certificate',
  43: 'Unsupported Certificate',
  44: 'Certificate Revoked',
  45: 'Certificate Expired',
  46: 'Certificate Unknown',
  47: 'Illegal Parameter',
  48: 'Unknown CA',
  49: 'Access Denied',
  50: 'Decode Error',
  51: 'Decrypt Error',
  60: 'Export Restriction',
  70: 'Protocol Version',
  71: 'Insufficient Security',
  80: 'Internal Error',
  86: 'Inappropriate Fallback',
  90: 'User Canceled',
  100: 'No Renegotiation',
  109: 'Missing Extension',
  110: 'Unsupported Extension',
  112: 'Unrecognized Name',
  113: 'Bad Certificate Status Response',
  115: 'Unknown PSK Identity',
  116: 'Certificate Required',
  120: 'No Application Protocol',
};

/** A TLS record header at `at`: a known content type, version 3.x, a possible length. */
export function isTlsRecord(bytes: Uint8Array, at: number, end: number): boolean {
  if (end - at < 5) return false;
  const type = bytes[at];
  return (
    type >= CONTENT_CHANGE_CIPHER_SPEC &&
    type <= CONTENT_HEARTBEAT &&
    bytes[at + 1] === 3 &&
    bytes[at + 2] <= 4 &&
    u16(bytes, at + 3) <= MAX_RECORD
  );
}

/** Walks the extensions block [at, end) of a hello, calling `visit` with each one's type and data span. */
function forEachExtension(
  bytes: Uint8Array,
  at: number,
  end: number,
  visit: (type: number, start: number, stop: number) => void,
) {
  if (at + 2 > end) return;
  const stop = Math.min(end, at + 2 + u16(bytes, at));
  for (let p = at + 2; p + 4 <= stop;) {
    const type = u16(bytes, p);
    const length = u16(bytes, p + 2);
    if (p + 4 + length > stop) return;
    visit(type, p + 4, p + 4 + length);
    p += 4 + length;
  }
}

function readHello(bytes: Uint8Array, message: TlsHandshake, body: number, end: number): void {
  if (body + 35 > end) return;
  message.version = u16(bytes, body);
  let at = body + 34;
  at += 1 + bytes[at]; // session id
  if (message.type === HANDSHAKE_CLIENT_HELLO) {
    if (at + 2 > end) return;
    at += 2 + u16(bytes, at); // cipher suites
    if (at + 1 > end) return;
    at += 1 + bytes[at]; // compression methods
  } else {
    at += 3; // cipher suite, compression method
  }
  forEachExtension(bytes, at, end, (type, start, stop) => {
    if (type === EXTENSION_SERVER_NAME && message.type === HANDSHAKE_CLIENT_HELLO && start + 5 <= stop) {
      const nameLength = u16(bytes, start + 3);
      if (bytes[start + 2] === 0 && start + 5 + nameLength <= stop) {
        let name = '';
        for (let i = start + 5; i < start + 5 + nameLength; i++) name += String.fromCharCode(bytes[i]);
        message.serverName = name;
      }
    } else if (type === EXTENSION_SUPPORTED_VERSIONS && message.type === HANDSHAKE_SERVER_HELLO && stop - start === 2) {
      message.selectedVersion = u16(bytes, start);
    }
  });
}

const isHelloRetry = (bytes: Uint8Array, body: number, end: number): boolean =>
  body + 34 <= end && HELLO_RETRY_RANDOM.every((b, i) => bytes[body + 2 + i] === b);

/**
 * The handshake messages of a record, when they tile it exactly with known types; undefined when
 * they do not (the record is encrypted).
 */
function readHandshakes(bytes: Uint8Array, start: number, end: number): TlsHandshake[] | undefined {
  const messages: TlsHandshake[] = [];
  for (let at = start; at < end;) {
    if (at + 4 > end) return undefined;
    const type = bytes[at];
    const length = (bytes[at + 1] << 16) | u16(bytes, at + 2);
    if (HANDSHAKE_NAMES[type] === undefined || at + 4 + length > end) return undefined;
    const message: TlsHandshake = { type };
    if (type === HANDSHAKE_CLIENT_HELLO || type === HANDSHAKE_SERVER_HELLO)
      readHello(bytes, message, at + 4, at + 4 + length);
    if (type === HANDSHAKE_SERVER_HELLO && isHelloRetry(bytes, at + 4, at + 4 + length)) message.helloRetry = true;
    messages.push(message);
    at += 4 + length;
  }
  return messages.length ? messages : undefined;
}

/** The complete TLS records at the start of [offset, end); Truncated when not even the first is complete. */
export function decodeTls(bytes: Uint8Array, offset: number, end: number): TlsLayer | Truncated {
  const records: TlsRecord[] = [];
  let at = offset;
  while (isTlsRecord(bytes, at, end)) {
    const length = u16(bytes, at + 3);
    if (at + 5 + length > end) break;
    const contentType = bytes[at];
    const record: TlsRecord = {
      offset: at,
      length: 5 + length,
      contentType,
      version: u16(bytes, at + 1),
      handshakes: [],
      encrypted: false,
    };
    if (contentType === CONTENT_HANDSHAKE) {
      const messages = readHandshakes(bytes, at + 5, at + 5 + length);
      if (messages === undefined) record.encrypted = true;
      else record.handshakes = messages;
    } else if (contentType === CONTENT_ALERT) {
      if (length === 2) record.alert = { level: bytes[at + 5], description: bytes[at + 6] };
      else record.encrypted = true;
    } else if (contentType === CONTENT_APPLICATION_DATA || contentType === CONTENT_HEARTBEAT) {
      record.encrypted = true;
    }
    records.push(record);
    at += 5 + length;
  }
  if (records.length === 0) {
    const needed = end - offset >= 5 && isTlsRecord(bytes, offset, end) ? 5 + u16(bytes, offset + 3) : 5;
    return truncated('tls', offset, needed);
  }
  return { protocol: 'tls', offset, length: at - offset, records };
}

/** The version a ServerHello settles for the connection, if this segment has one. */
export function negotiatedTlsVersion(tls: TlsLayer): number | undefined {
  for (const record of tls.records)
    for (const message of record.handshakes)
      if (message.type === HANDSHAKE_SERVER_HELLO) return message.selectedVersion ?? message.version;
  return undefined;
}

/** "TLSv1.2": the connection's version once known, else the first record's. */
export function tlsProtocolName(tls: TlsLayer, connectionVersion?: number): string {
  const version = connectionVersion ?? tls.records[0].version;
  return TLS_VERSION_NAMES[version] ?? 'TLS';
}

function recordInfo(record: TlsRecord): string {
  switch (record.contentType) {
    case CONTENT_CHANGE_CIPHER_SPEC:
      return 'Change Cipher Spec';
    case CONTENT_ALERT:
      if (record.alert === undefined) return 'Encrypted Alert';
      return `Alert (Level: ${ALERT_LEVELS[record.alert.level] ?? 'Unknown'}, Description: ${ALERT_DESCRIPTIONS[record.alert.description] ?? 'Unknown'})`;
    case CONTENT_HANDSHAKE:
      if (record.encrypted) return 'Encrypted Handshake Message';
      return record.handshakes.map((m) => (m.helloRetry ? 'Hello Retry Request' : HANDSHAKE_NAMES[m.type])).join(', ');
    case CONTENT_APPLICATION_DATA:
      return 'Application Data';
    default:
      return 'Encrypted Heartbeat';
  }
}

/** "Client Key Exchange, Change Cipher Spec, Encrypted Handshake Message", as tshark. */
export const tlsInfo = (tls: TlsLayer): string => tls.records.map(recordInfo).join(', ');
