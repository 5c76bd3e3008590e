// SSH (RFC 4253): the identification string ("SSH-2.0-…") and, before a side's NEWKEYS, the
// message codes of its binary packets (KEXINIT with its key-exchange methods, the key exchange's
// own messages, NEWKEYS). After NEWKEYS a side's packets are encrypted and cannot be read.
import { truncated, u32 } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { SshLayer } from './types.ts';

const MSG_KEXINIT = 20;
const MSG_NEWKEYS = 21;

const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  [MSG_KEXINIT]: 'Key Exchange Init',
  [MSG_NEWKEYS]: 'New Keys',
};

/** Codes 30–49 mean different messages per key-exchange method (RFC 4253 8, RFC 4419, RFC 5656). */
const KEX_MESSAGE_NAMES: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  ecdh: {
    30: 'Elliptic Curve Diffie-Hellman Key Exchange Init',
    31: 'Elliptic Curve Diffie-Hellman Key Exchange Reply',
  },
  dh: { 30: 'Diffie-Hellman Key Exchange Init', 31: 'Diffie-Hellman Key Exchange Reply' },
  gex: {
    30: 'Diffie-Hellman Group Exchange Request (Old)',
    31: 'Diffie-Hellman Group Exchange Group',
    32: 'Diffie-Hellman Group Exchange Init',
    33: 'Diffie-Hellman Group Exchange Reply',
    34: 'Diffie-Hellman Group Exchange Request',
  },
};

/** The family of a key-exchange method name, which decides what codes 30–34 are. */
export function kexFamily(method: string | undefined): string | undefined {
  if (method === undefined) return undefined;
  if (method.startsWith('diffie-hellman-group-exchange')) return 'gex';
  if (method.startsWith('diffie-hellman-group')) return 'dh';
  if (method.startsWith('curve25519') || method.startsWith('curve448') || method.startsWith('ecdh-sha2-'))
    return 'ecdh';
  return undefined;
}

export const isSshBanner = (bytes: Uint8Array, at: number, end: number): boolean =>
  end - at >= 4 && bytes[at] === 0x53 && bytes[at + 1] === 0x53 && bytes[at + 2] === 0x48 && bytes[at + 3] === 0x2d;

const latin1 = (bytes: Uint8Array, start: number, end: number): string => {
  let text = '';
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
};

/**
 * `fromServer`: the packet comes from the side on the SSH port. `encrypted`: that side sent
 * NEWKEYS earlier. A binary packet continuing past `end` is Truncated (reassembled by the caller).
 */
export function decodeSsh(
  bytes: Uint8Array,
  offset: number,
  end: number,
  fromServer: boolean,
  encrypted: boolean,
): SshLayer | Truncated {
  const layer: SshLayer = { protocol: 'ssh', offset, length: end - offset, encrypted, fromServer, messageCodes: [] };
  if (isSshBanner(bytes, offset, end)) {
    let stop = offset;
    while (stop < end && bytes[stop] !== 0x0d && bytes[stop] !== 0x0a) stop++;
    layer.banner = latin1(bytes, offset, stop);
    layer.encrypted = false;
    return layer;
  }
  if (encrypted) {
    layer.encryptedByKeys = true;
    return layer;
  }
  for (let at = offset; at + 6 <= end;) {
    const packetLength = u32(bytes, at);
    const padding = bytes[at + 4];
    if (packetLength < 5 || packetLength > 35000 || padding < 4 || padding >= packetLength) break;
    if (at + 4 + packetLength > end) {
      if (layer.messageCodes.length === 0) return truncated('ssh', offset, 4 + packetLength);
      break;
    }
    const code = bytes[at + 5];
    layer.messageCodes.push(code);
    if (code === MSG_KEXINIT && at + 26 <= end) {
      const listLength = u32(bytes, at + 22);
      if (at + 26 + listLength <= at + 4 + packetLength)
        layer.kexAlgorithms = latin1(bytes, at + 26, at + 26 + listLength).split(',');
    }
    at += 4 + packetLength;
    // After NEWKEYS the rest of the segment is encrypted.
    if (code === MSG_NEWKEYS) break;
  }
  if (layer.messageCodes.length === 0) layer.encrypted = true;
  return layer;
}

/**
 * "Client: Protocol (SSH-2.0-OpenSSH_7.8)", "Server: Key Exchange Init", "Client: " once keys are
 * in use, "Client: Encrypted packet (len=605)" for what was never readable. `kex` is the key
 * exchange method the two KEXINITs agreed on.
 */
export function sshInfo(ssh: SshLayer, kex?: string): string {
  const side = ssh.fromServer ? 'Server' : 'Client';
  if (ssh.banner !== undefined) return `${side}: Protocol (${ssh.banner})`;
  if (ssh.messageCodes.length > 0) {
    const family = KEX_MESSAGE_NAMES[kexFamily(kex) ?? ''];
    const names = ssh.messageCodes.map((code) => MESSAGE_NAMES[code] ?? family?.[code] ?? `Message Code ${code}`);
    return `${side}: ${names.join(', ')}`;
  }
  if (ssh.encryptedByKeys) return `${side}: `;
  return `${side}: Encrypted packet (len=${ssh.length})`;
}
