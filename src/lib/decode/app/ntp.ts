// NTP (RFC 5905) on UDP 123: leap indicator, version, mode, stratum.
import { truncated } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { NtpLayer } from './types.ts';

const MODE_NAMES: Readonly<Record<number, string>> = {
  0: 'reserved',
  1: 'symmetric active',
  2: 'symmetric passive',
  3: 'client',
  4: 'server',
  5: 'broadcast',
  6: 'control',
  7: 'private',
};

export function decodeNtp(bytes: Uint8Array, offset: number, end: number): NtpLayer | Truncated {
  if (end - offset < 2) return truncated('ntp', offset, 48);
  const first = bytes[offset];
  return {
    protocol: 'ntp',
    offset,
    length: end - offset,
    leap: first >> 6,
    version: (first >> 3) & 7,
    mode: first & 7,
    stratum: bytes[offset + 1],
  };
}

/** "NTP Version 4, client". */
export const ntpInfo = (ntp: NtpLayer): string => `NTP Version ${ntp.version}, ${MODE_NAMES[ntp.mode]}`;
