// SSH (RFC 4253): the identification string ("SSH-2.0-…") and, before keys are in use, the
// binary packet's message code (KEXINIT, NEWKEYS, the key exchange's own messages).
import type { SshLayer } from './types.ts';
import { u32 } from '../bytes.ts';

/** Message codes tshark names regardless of the key exchange method. */
const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  20: 'Key Exchange Init',
  21: 'New Keys',
};

export const isSshBanner = (bytes: Uint8Array, at: number, end: number): boolean =>
  end - at >= 4 && bytes[at] === 0x53 && bytes[at + 1] === 0x53 && bytes[at + 2] === 0x48 && bytes[at + 3] === 0x2d;

/** `fromServer`: the packet comes from the side on the SSH port. `encrypted`: NEWKEYS was seen that way. */
export function decodeSsh(
  bytes: Uint8Array,
  offset: number,
  end: number,
  fromServer: boolean,
  encrypted: boolean,
): SshLayer {
  const layer: SshLayer = { protocol: 'ssh', offset, length: end - offset, encrypted, fromServer };
  if (isSshBanner(bytes, offset, end)) {
    let stop = offset;
    while (stop < end && bytes[stop] !== 0x0d && bytes[stop] !== 0x0a) stop++;
    let banner = '';
    for (let i = offset; i < stop; i++) banner += String.fromCharCode(bytes[i]);
    layer.banner = banner;
    layer.encrypted = false;
    return layer;
  }
  if (!encrypted && end - offset >= 6) {
    const packetLength = u32(bytes, offset);
    const padding = bytes[offset + 4];
    if (packetLength >= 12 && padding >= 4 && padding < packetLength && offset + 4 + packetLength <= end) {
      layer.messageCode = bytes[offset + 5];
      return layer;
    }
  }
  layer.encrypted = true;
  return layer;
}

/** "Client: Protocol (SSH-2.0-OpenSSH_7.8)", "Server: Key Exchange Init", "Client: Encrypted packet (len=605)". */
export function sshInfo(ssh: SshLayer): string {
  const side = ssh.fromServer ? 'Server' : 'Client';
  if (ssh.banner !== undefined) return `${side}: Protocol (${ssh.banner})`;
  if (ssh.messageCode !== undefined)
    return `${side}: ${MESSAGE_NAMES[ssh.messageCode] ?? `Message Code ${ssh.messageCode}`}`;
  return `${side}: Encrypted packet (len=${ssh.length})`;
}
