// Keyed, consistent, prefix-preserving remapping of IPv4, IPv6 and MAC addresses, for
// anonymizing captures before they are exported or shared.
//
// The scheme is the one Crypto-PAn made standard (Xu, Fan, Ammar, Moon 2002): output bit i is
// input bit i XOR a keyed pseudo-random function of input bits 0..i-1. Whatever that function
// is, the map is a bijection (each output bit can be undone in order), so distinct addresses
// stay distinct; and two addresses sharing a k-bit prefix map to addresses sharing a k-bit
// prefix, so subnets stay subnets. The function is SipHash-2-4 under a 128-bit key.
//
// On top of that, the function is forced to 0 where flipping would hide what a lesson needs:
//   * the network part of private and special ranges is kept (10.0.0.0/8 stays in 10.0.0.0/8,
//     fe80::/10 stays link-local), only the host bits are remapped;
//   * some ranges are kept whole: loopback, multicast, broadcast, 0.0.0.0, documentation ranges;
//   * on the way into a range, every prefix bit is kept, so a public address never lands in a
//     private or special range, and the reverse.
// Consequence worth knowing: the first few bits of a public address (those it shares with some
// special range's prefix) are kept, e.g. 8.8.8.8 maps into 8.0.0.0/7.
//
// MAC addresses keep their individual/group and universal/local bits; group addresses
// (broadcast, multicast) and 00:00:00:00:00:00 are kept whole, every other address is remapped
// over its remaining 46 bits, vendor prefixes included.

const MASK64 = 0xffffffffffffffffn;

const rotl = (x: bigint, bits: bigint): bigint => ((x << bits) | (x >> (64n - bits))) & MASK64;

/** SipHash-2-4 (Aumasson & Bernstein 2012) of `message` under the key (k0, k1). */
export function sipHash24(k0: bigint, k1: bigint, message: Uint8Array): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = (): void => {
    v0 = (v0 + v1) & MASK64;
    v1 = rotl(v1, 13n) ^ v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK64;
    v3 = rotl(v3, 16n) ^ v2;
    v0 = (v0 + v3) & MASK64;
    v3 = rotl(v3, 21n) ^ v0;
    v2 = (v2 + v1) & MASK64;
    v1 = rotl(v1, 17n) ^ v2;
    v2 = rotl(v2, 32n);
  };
  const length = message.length;
  const whole = length - (length % 8);
  for (let i = 0; i < whole; i += 8) {
    let m = 0n;
    for (let b = 7; b >= 0; b--) m = (m << 8n) | BigInt(message[i + b]);
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
  let last = BigInt(length & 0xff) << 56n;
  for (let b = length - whole - 1; b >= 0; b--) last |= BigInt(message[whole + b]) << BigInt(8 * b);
  v3 ^= last;
  round();
  round();
  v0 ^= last;
  v2 ^= 0xffn;
  round();
  round();
  round();
  round();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK64;
}

/** A range written as address bytes and a prefix length. */
interface Range {
  bits: Uint8Array;
  length: number;
  /** 'all': the whole address is kept; 'network': the first `length` bits are kept. */
  keep: 'all' | 'network';
}

const bitAt = (bytes: Uint8Array, i: number): number => (bytes[i >> 3] >> (7 - (i & 7))) & 1;

/** True when the first `length` bits of a and b agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, length: number): boolean {
  const whole = length >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = length & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole] & mask) === (b[whole] & mask);
}

function ipv4Range(text: string, keep: Range['keep']): Range {
  const [address, length] = text.split('/');
  return { bits: Uint8Array.from(address.split('.').map(Number)), length: Number(length), keep };
}

function ipv6Range(text: string, keep: Range['keep']): Range {
  const [address, length] = text.split('/');
  const [head, tail = ''] = address.split('::');
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const front = words(head);
  const back = words(tail);
  const all = [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bits = new Uint8Array(16);
  all.forEach((word, i) => {
    bits[2 * i] = word >> 8;
    bits[2 * i + 1] = word & 0xff;
  });
  return { bits, length: Number(length), keep };
}

const IPV4_RANGES: Range[] = [
  ipv4Range('0.0.0.0/8', 'all'), // "this network" (DHCP clients before they have an address)
  ipv4Range('127.0.0.0/8', 'all'), // loopback
  ipv4Range('224.0.0.0/4', 'all'), // multicast
  ipv4Range('240.0.0.0/4', 'all'), // reserved, and 255.255.255.255
  ipv4Range('192.0.2.0/24', 'all'), // documentation (TEST-NET-1..3)
  ipv4Range('198.51.100.0/24', 'all'),
  ipv4Range('203.0.113.0/24', 'all'),
  ipv4Range('10.0.0.0/8', 'network'), // private
  ipv4Range('172.16.0.0/12', 'network'),
  ipv4Range('192.168.0.0/16', 'network'),
  ipv4Range('100.64.0.0/10', 'network'), // carrier-grade NAT
  ipv4Range('169.254.0.0/16', 'network'), // link-local
];

const IPV6_RANGES: Range[] = [
  ipv6Range('::/128', 'all'), // unspecified
  ipv6Range('::1/128', 'all'), // loopback
  ipv6Range('ff00::/8', 'all'), // multicast (ff02::1, ff02::2, …)
  ipv6Range('ff02::1:ff00:0/104', 'network'), // solicited-node: its low 24 bits come from a unicast address
  ipv6Range('2001:db8::/32', 'all'), // documentation
  ipv6Range('fe80::/10', 'network'), // link-local
  ipv6Range('fc00::/7', 'network'), // unique local
];

/** The IPv4-mapped prefix ::ffff:0:0/96: its low 32 bits are remapped as the IPv4 address they are. */
const IPV4_MAPPED = ipv6Range('::ffff:0:0/96', 'network');

/** Domain bytes so the same bits in different address families get unrelated flips. */
const DOMAIN_IPV4 = 4;
const DOMAIN_IPV6 = 6;
const DOMAIN_MAC = 48;

export interface AddressCounts {
  ipv4: number;
  ipv6: number;
  mac: number;
}

export class AddressMap {
  private readonly k0: bigint;
  private readonly k1: bigint;
  private readonly ipv4 = new Map<string, Uint8Array>();
  private readonly ipv6 = new Map<string, Uint8Array>();
  private readonly mac = new Map<string, Uint8Array>();

  /** `key`: 16 bytes. The same key gives the same mapping in every file (client and server side). */
  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`an address-map key is 16 bytes, got ${key.length}`);
    let k0 = 0n;
    let k1 = 0n;
    for (let b = 7; b >= 0; b--) {
      k0 = (k0 << 8n) | BigInt(key[b]);
      k1 = (k1 << 8n) | BigInt(key[8 + b]);
    }
    this.k0 = k0;
    this.k1 = k1;
  }

  /** How many distinct addresses of each kind were remapped so far. */
  get counts(): AddressCounts {
    return { ipv4: this.ipv4.size, ipv6: this.ipv6.size, mac: this.mac.size };
  }

  /** One pseudo-random bit for the first `length` bits of `prefix` (the bits after it are zero). */
  private flip(domain: number, prefix: Uint8Array, length: number): number {
    const message = new Uint8Array(2 + ((length + 7) >> 3));
    message[0] = domain;
    message[1] = length;
    message.set(prefix.subarray(0, (length + 7) >> 3), 2);
    return Number(sipHash24(this.k0, this.k1, message) & 1n);
  }

  /**
   * The prefix-preserving permutation over `bitCount` bits, with `decide(prefix, i)` returning
   * 0 (keep bit i), 1 (flip it) or -1 (ask the keyed function).
   */
  private permute(
    domain: number,
    input: Uint8Array,
    bitCount: number,
    decide: (prefix: Uint8Array, i: number) => number,
  ): Uint8Array {
    const output = new Uint8Array(input.length);
    const prefix = new Uint8Array(input.length);
    for (let i = 0; i < bitCount; i++) {
      let flip = decide(prefix, i);
      if (flip < 0) flip = this.flip(domain, prefix, i);
      const bit = bitAt(input, i);
      if (bit) prefix[i >> 3] |= 0x80 >> (i & 7);
      if (bit ^ flip) output[i >> 3] |= 0x80 >> (i & 7);
    }
    // Bits past bitCount (none for whole addresses) are copied as they are.
    for (let i = bitCount; i < input.length * 8; i++) if (bitAt(input, i)) output[i >> 3] |= 0x80 >> (i & 7);
    return output;
  }

  private permuteIp(domain: number, input: Uint8Array, ranges: Range[]): Uint8Array {
    return this.permute(domain, input, input.length * 8, (prefix, i) => {
      // Still on the way into some range: keep the bit, so the output stays on the same path.
      for (const range of ranges) if (i < range.length && samePrefix(prefix, range.bits, i)) return 0;
      // Inside a range: the most specific one decides.
      let inside: Range | undefined;
      for (const range of ranges) {
        if (range.length <= i && samePrefix(prefix, range.bits, range.length) && (!inside || range.length > inside.length)) {
          inside = range;
        }
      }
      return inside?.keep === 'all' ? 0 : -1;
    });
  }

  /** The remapped IPv4 address (4 bytes; a new array). */
  mapIPv4(address: Uint8Array): Uint8Array {
    const key = address.join('.');
    let mapped = this.ipv4.get(key);
    if (mapped === undefined) {
      mapped = this.permuteIp(DOMAIN_IPV4, address, IPV4_RANGES);
      this.ipv4.set(key, mapped);
    }
    return mapped;
  }

  /** The remapped IPv6 address (16 bytes; a new array). */
  mapIPv6(address: Uint8Array): Uint8Array {
    const key = address.join(',');
    let mapped = this.ipv6.get(key);
    if (mapped === undefined) {
      if (samePrefix(address, IPV4_MAPPED.bits, IPV4_MAPPED.length)) {
        // ::ffff:a.b.c.d must say the same as the IPv4 address a.b.c.d says elsewhere.
        mapped = address.slice();
        mapped.set(this.mapIPv4(address.subarray(12, 16)), 12);
      } else {
        mapped = this.permuteIp(DOMAIN_IPV6, address, IPV6_RANGES);
      }
      this.ipv6.set(key, mapped);
    }
    return mapped;
  }

  /** Either family, by length (4 or 16 bytes); other lengths come back unchanged. */
  mapIP(address: Uint8Array): Uint8Array {
    if (address.length === 4) return this.mapIPv4(address);
    if (address.length === 16) return this.mapIPv6(address);
    return address;
  }

  /** The remapped MAC address (6 bytes; a new array). */
  mapMac(address: Uint8Array): Uint8Array {
    const key = address.join(':');
    let mapped = this.mac.get(key);
    if (mapped !== undefined) return mapped;
    const isGroup = (address[0] & 1) !== 0;
    if (isGroup || address.every((b) => b === 0)) {
      mapped = address.slice();
    } else {
      // Reorder so the I/G and U/L bits (the two low bits of the first byte) come first and are
      // kept; the other 46 bits go through the keyed permutation. The all-zero address is kept
      // and so must never be an output: cycle-walking (apply again until the output is not zero)
      // keeps the map a bijection on the remaining addresses.
      const reorder = (mac: Uint8Array): Uint8Array => {
        const out = new Uint8Array(6);
        const bits: number[] = [bitAt(mac, 7), bitAt(mac, 6)];
        for (let i = 0; i < 48; i++) if (i !== 6 && i !== 7) bits.push(bitAt(mac, i));
        bits.forEach((bit, i) => bit && (out[i >> 3] |= 0x80 >> (i & 7)));
        return out;
      };
      const restore = (bits: Uint8Array): Uint8Array => {
        const out = new Uint8Array(6);
        const order = [7, 6, ...Array.from({ length: 48 }, (_, i) => i).filter((i) => i !== 6 && i !== 7)];
        order.forEach((position, i) => bitAt(bits, i) && (out[position >> 3] |= 0x80 >> (position & 7)));
        return out;
      };
      let current = address;
      do {
        const permuted = this.permute(DOMAIN_MAC, reorder(current), 48, (_prefix, i) => (i < 2 ? 0 : -1));
        current = restore(permuted);
      } while (current.every((b) => b === 0));
      mapped = current;
    }
    this.mac.set(key, mapped);
    return mapped;
  }
}

/** 16 key bytes from a passphrase (SipHash under a fixed key, twice), or random ones. */
export function addressMapKey(passphrase?: string): Uint8Array {
  const key = new Uint8Array(16);
  if (passphrase === undefined) {
    globalThis.crypto.getRandomValues(key);
    return key;
  }
  const text = new TextEncoder().encode(passphrase);
  const halves = [0x706f7274n, 0x74726163n].map((salt) => sipHash24(salt, ~salt & MASK64, text));
  const view = new DataView(key.buffer);
  view.setBigUint64(0, halves[0], true);
  view.setBigUint64(8, halves[1], true);
  return key;
}
