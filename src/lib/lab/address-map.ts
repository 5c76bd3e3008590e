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

// SipHash works on 64-bit words. BigInt would say it most plainly but is ~30 times slower, and
// a scan of a /16 means a million calls, so each word is kept as two unsigned 32-bit halves.

/** SipHash-2-4 state: v0..v3 as [hi, lo] pairs in one array (no allocation per round). */
type State = Uint32Array;

function add(s: State, a: number, b: number): void {
  // s[a] += s[b] (mod 2^64); halves at 2a/2a+1 are hi/lo.
  const lo = (s[2 * a + 1] + s[2 * b + 1]) >>> 0;
  const carry = lo < s[2 * a + 1] ? 1 : 0;
  s[2 * a] = (s[2 * a] + s[2 * b] + carry) >>> 0;
  s[2 * a + 1] = lo;
}

function rotl(s: State, a: number, n: number): void {
  let hi = s[2 * a];
  let lo = s[2 * a + 1];
  if (n >= 32) {
    [hi, lo] = [lo, hi];
    n -= 32;
  }
  if (n > 0) {
    const newHi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
    lo = ((lo << n) | (hi >>> (32 - n))) >>> 0;
    hi = newHi;
  }
  s[2 * a] = hi;
  s[2 * a + 1] = lo;
}

function xor(s: State, a: number, b: number): void {
  s[2 * a] = (s[2 * a] ^ s[2 * b]) >>> 0;
  s[2 * a + 1] = (s[2 * a + 1] ^ s[2 * b + 1]) >>> 0;
}

function sipRound(s: State): void {
  add(s, 0, 1);
  rotl(s, 1, 13);
  xor(s, 1, 0);
  rotl(s, 0, 32);
  add(s, 2, 3);
  rotl(s, 3, 16);
  xor(s, 3, 2);
  add(s, 0, 3);
  rotl(s, 3, 21);
  xor(s, 3, 0);
  add(s, 2, 1);
  rotl(s, 1, 17);
  xor(s, 1, 2);
  rotl(s, 2, 32);
}

/** Key as four 32-bit words: k0 lo, k0 hi, k1 lo, k1 hi (each half of the key little-endian). */
export type SipKey = Uint32Array;

const le32 = (bytes: Uint8Array, at: number): number =>
  (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

export function sipKey(key: Uint8Array): SipKey {
  return Uint32Array.of(le32(key, 0), le32(key, 4), le32(key, 8), le32(key, 12));
}

/**
 * SipHash-2-4 (Aumasson & Bernstein 2012) of `message`, as [hi, lo] 32-bit halves.
 * `state` is scratch space (8 words) so hot loops allocate nothing.
 */
export function sipHash24Halves(
  key: SipKey,
  message: Uint8Array,
  state: State = new Uint32Array(10),
): [number, number] {
  const s = state;
  // v0 = k0 ^ "somepseu", v1 = k1 ^ "dorandom", v2 = k0 ^ "lygenera", v3 = k1 ^ "tedbytes"; slots 8/9 hold m.
  s[0] = (key[1] ^ 0x736f6d65) >>> 0;
  s[1] = (key[0] ^ 0x70736575) >>> 0;
  s[2] = (key[3] ^ 0x646f7261) >>> 0;
  s[3] = (key[2] ^ 0x6e646f6d) >>> 0;
  s[4] = (key[1] ^ 0x6c796765) >>> 0;
  s[5] = (key[0] ^ 0x6e657261) >>> 0;
  s[6] = (key[3] ^ 0x74656462) >>> 0;
  s[7] = (key[2] ^ 0x79746573) >>> 0;
  const length = message.length;
  const whole = length - (length % 8);
  const absorb = (hi: number, lo: number): void => {
    s[8] = hi;
    s[9] = lo;
    xor(s, 3, 4);
    sipRound(s);
    sipRound(s);
    xor(s, 0, 4);
  };
  for (let i = 0; i < whole; i += 8) absorb(le32(message, i + 4), le32(message, i));
  // Last block: the remaining bytes, little-endian, with the length's low byte on top.
  const tail = new Uint8Array(8);
  tail.set(message.subarray(whole));
  tail[7] = length & 0xff;
  absorb(le32(tail, 4), le32(tail, 0));
  s[5] = (s[5] ^ 0xff) >>> 0; // v2 ^= 0xff
  sipRound(s);
  sipRound(s);
  sipRound(s);
  sipRound(s);
  return [(s[0] ^ s[2] ^ s[4] ^ s[6]) >>> 0, (s[1] ^ s[3] ^ s[5] ^ s[7]) >>> 0];
}

/** The same as one 64-bit number, for tests against the paper's vectors. */
export function sipHash24(k0: bigint, k1: bigint, message: Uint8Array): bigint {
  const key = new Uint8Array(16);
  const view = new DataView(key.buffer);
  view.setBigUint64(0, k0, true);
  view.setBigUint64(8, k1, true);
  const [hi, lo] = sipHash24Halves(sipKey(key), message);
  return (BigInt(hi) << 32n) | BigInt(lo);
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
  private readonly key: SipKey;
  private readonly scratch = new Uint32Array(10);
  private readonly message = new Uint8Array(2 + 16);
  private readonly ipv4 = new Map<string, Uint8Array>();
  private readonly ipv6 = new Map<string, Uint8Array>();
  private readonly mac = new Map<string, Uint8Array>();

  /** `key`: 16 bytes. The same key gives the same mapping in every file (client and server side). */
  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError(`an address-map key is 16 bytes, got ${key.length}`);
    this.key = sipKey(key);
  }

  /** How many distinct addresses of each kind were remapped so far. */
  get counts(): AddressCounts {
    return { ipv4: this.ipv4.size, ipv6: this.ipv6.size, mac: this.mac.size };
  }

  /** One pseudo-random bit for the first `length` bits of `prefix` (the bits after it are zero). */
  private flip(domain: number, prefix: Uint8Array, length: number): number {
    const bytes = (length + 7) >> 3;
    const message = this.message.subarray(0, 2 + bytes);
    message[0] = domain;
    message[1] = length;
    message.set(prefix.subarray(0, bytes), 2);
    return sipHash24Halves(this.key, message, this.scratch)[1] & 1;
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
        if (
          range.length <= i &&
          samePrefix(prefix, range.bits, range.length) &&
          (!inside || range.length > inside.length)
        ) {
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
  const halves = [0x706f7274n, 0x74726163n].map((salt) => sipHash24(salt, ~salt & 0xffffffffffffffffn, text));
  const view = new DataView(key.buffer);
  view.setBigUint64(0, halves[0], true);
  view.setBigUint64(8, halves[1], true);
  return key;
}
