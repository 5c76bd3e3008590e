// Writes small capture files that exercise features the public corpus lacks (binary if_tsresol,
// if_tsoffset, epb_flags, comments, obsolete Packet Blocks, Simple Packet Blocks cut to the snap
// length, a second big-endian section, NetMon 2.1/2.2/2.3 trailers, big-endian nanosecond pcap,
// FCS bits). Written from the format specifications, independently of src/lib/capture; what
// they mean is then established by tshark (scripts/golden-capture.sh), not by our reader.
// Run: npm exec -- tsx scripts/make-capture-fixtures.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = join(import.meta.dirname, '..', 'tests', 'fixtures', 'capture');

/** Growable byte writer with explicit byte order. */
class Writer {
  private bytes: number[] = [];
  constructor(private readonly littleEndian: boolean) {}
  get length(): number {
    return this.bytes.length;
  }
  u8(v: number): this {
    this.bytes.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff];
    this.bytes.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.littleEndian ? b : b.reverse()));
    return this;
  }
  u64(v: bigint): this {
    const lo = Number(v & 0xffffffffn);
    const hi = Number((v >> 32n) & 0xffffffffn);
    return this.littleEndian ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  raw(data: Uint8Array | number[]): this {
    for (const b of data) this.bytes.push(b);
    return this;
  }
  pad4(): this {
    while (this.bytes.length % 4) this.bytes.push(0);
    return this;
  }
  setU32(at: number, v: number): void {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    const ordered = this.littleEndian ? b : b.reverse();
    for (let i = 0; i < 4; i++) this.bytes[at + i] = ordered[i];
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** A recognisable Ethernet/IPv4/TCP SYN-like frame of `size` bytes (content only needs to be stable). */
function frameBytes(size: number, seed: number): Uint8Array {
  const head = [0x00, 0x15, 0x5d, 0x01, 0x02, 0x03, 0x00, 0x15, 0x5d, 0x0a, 0x0b, 0x0c, 0x08, 0x00];
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = i < head.length ? head[i] : (i * 7 + seed) & 0xff;
  return out;
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// ---------------------------------------------------------------- pcapng
type Option = { code: number; value: Uint8Array };

function pcapngBlock(
  w: Writer,
  type: number,
  body: (b: Writer) => void,
  options: Option[] = [],
  littleEndian = true,
): void {
  const b = new Writer(littleEndian);
  body(b);
  b.pad4();
  if (options.length) {
    for (const o of options) {
      b.u16(o.code).u16(o.value.length).raw(o.value).pad4();
    }
    b.u16(0).u16(0);
  }
  const length = 12 + b.length;
  w.u32(type).u32(length).raw(b.toBytes()).u32(length);
}

function optU8(code: number, v: number): Option {
  return { code, value: Uint8Array.of(v) };
}
function optU32(code: number, v: number, le: boolean): Option {
  const w = new Writer(le);
  w.u32(v);
  return { code, value: w.toBytes() };
}
function optI64(code: number, v: bigint, le: boolean): Option {
  const w = new Writer(le);
  w.u64(BigInt.asUintN(64, v));
  return { code, value: w.toBytes() };
}
function optText(code: number, s: string): Option {
  return { code, value: utf8(s) };
}

function section(w: Writer, le: boolean, comment: string): void {
  pcapngBlock(
    w,
    0x0a0d0d0a,
    (b) => b.u32(0x1a2b3c4d).u16(1).u16(0).u64(0xffffffffffffffffn),
    [optText(1, comment), optText(4, 'porttrace make-capture-fixtures')],
    le,
  );
}

function idb(w: Writer, le: boolean, linkType: number, snap: number, options: Option[]): void {
  pcapngBlock(w, 1, (b) => b.u16(linkType).u16(0).u32(snap), options, le);
}

function epb(
  w: Writer,
  le: boolean,
  iface: number,
  ticks: bigint,
  data: Uint8Array,
  originalLength: number,
  options: Option[] = [],
): void {
  pcapngBlock(
    w,
    6,
    (b) =>
      b
        .u32(iface)
        .u32(Number(ticks >> 32n))
        .u32(Number(ticks & 0xffffffffn))
        .u32(data.length)
        .u32(originalLength)
        .raw(data),
    options,
    le,
  );
}

function pcapngFeatures(): Uint8Array {
  const w = new Writer(true);
  const le = true;
  section(
    w,
    le,
    'porttrace fixture: binary if_tsresol, if_tsoffset, epb_flags, comments, PB, SPB, NRB/ISB/custom blocks, second big-endian section',
  );
  // Interface 0: 2^-20 s ticks, offset +1,600,000,000 s, snap length 64 (the SPB below is cut to it).
  idb(w, le, 1, 64, [
    optText(2, 'eth0'),
    optText(3, 'Fixture NIC (binary resolution, offset)'),
    optU8(9, 0x80 | 20),
    optI64(14, 1_600_000_000n, le),
  ]);
  // Interface 1: milliseconds, 4-byte FCS.
  idb(w, le, 1, 0, [optText(2, 'eth1'), optU8(9, 3), optU8(13, 4)]);
  // Interface 2: raw IP, 2^-30 s ticks.
  idb(w, le, 101, 0, [optText(2, 'tun0'), optU8(9, 0x80 | 30)]);
  // Name resolution block: skipped by its length.
  pcapngBlock(w, 4, (b) => b.u16(1).u16(8).raw([10, 0, 0, 1]).raw(utf8('a\0\0\0')).u16(0).u16(0), [], le);
  const t0 = 63_000_000n; // seconds before the offset
  epb(w, le, 0, (t0 << 20n) + 123_456n, frameBytes(60, 1), 60, [optU32(2, 1, le), optText(1, 'first SYN, inbound')]);
  epb(w, le, 0, ((t0 + 3n) << 20n) + 1n, frameBytes(60, 2), 60, [
    optU32(2, 2, le),
    optText(1, 'outbound'),
    optText(1, 'second comment'),
  ]);
  epb(w, le, 1, 1_700_000_000_123n, frameBytes(64, 3), 64, []);
  epb(w, le, 2, (1_700_000_009n << 30n) + 987_654_321n, frameBytes(40, 4).subarray(14), 26, [optU32(2, 0, le)]);
  // Interface statistics block: skipped.
  pcapngBlock(w, 5, (b) => b.u32(0).u32(0).u32(0), [], le);
  // Obsolete Packet Block on interface 1 (ms), with pack_flags = outbound.
  pcapngBlock(
    w,
    2,
    (b) =>
      b
        .u16(1)
        .u16(0)
        .u32(Math.floor(1_700_000_001_500 / 2 ** 32))
        .u32(1_700_000_001_500 % 2 ** 32)
        .u32(50)
        .u32(80)
        .raw(frameBytes(50, 5)),
    [optU32(2, 2, le)],
    le,
  );
  // Simple Packet Block: original 100 bytes, cut to interface 0's snap length of 64.
  pcapngBlock(w, 3, (b) => b.u32(100).raw(frameBytes(64, 6)), [], le);
  // Custom block (copyable, PEN 32473 = example) — skipped.
  pcapngBlock(w, 0x00000bad, (b) => b.u32(32473).raw(utf8('custom data')), [], le);
  // Packet with a captured length shorter than the original (a sliced capture).
  epb(w, le, 1, 1_700_000_002_000n, frameBytes(32, 7), 1514, []);

  // Second section, big-endian, its own interface table: index 0 here is a new interface.
  const be = new Writer(false);
  section(be, false, 'second section (big-endian)');
  idb(be, false, 1, 0, [optText(2, 'be0'), optU8(9, 9)]);
  epb(be, false, 0, 1_700_000_100_000_000_123n, frameBytes(70, 8), 70, [optU32(2, 1, false)]);
  epb(be, false, 0, 1_700_000_100_999_999_999n, frameBytes(54, 9), 54, []);
  return Uint8Array.from([...w.toBytes(), ...be.toBytes()]);
}

// ---------------------------------------------------------------- pcap
function pcapFile(
  le: boolean,
  nanos: boolean,
  linkField: number,
  records: { sec: number; frac: number; data: Uint8Array; orig: number }[],
  magic?: number,
): Uint8Array {
  const w = new Writer(le);
  w.u32(magic ?? (nanos ? 0xa1b23c4d : 0xa1b2c3d4))
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(65535)
    .u32(linkField);
  for (const r of records) w.u32(r.sec).u32(r.frac).u32(r.data.length).u32(r.orig).raw(r.data);
  return w.toBytes();
}

/** Alexey Kuznetsov's patched libpcap: magic 0xa1b2cd34, 8 more bytes per record header. */
function kuznetsovPcap(): Uint8Array {
  const w = new Writer(true);
  w.u32(0xa1b2cd34).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
  for (let i = 0; i < 3; i++) {
    const data = frameBytes(60 + i * 10, 30 + i);
    w.u32(1_700_000_000 + i)
      .u32(123_456 + i)
      .u32(data.length)
      .u32(data.length);
    w.u32(2).u16(0x0800).u8(0).u8(0); // ifindex, protocol, packet type, padding
    w.raw(data);
  }
  return w.toBytes();
}

// ---------------------------------------------------------------- NetMon 2.x
/**
 * NetMon 2.x with `minor` (1, 2 or 3): per-frame trailer of media type (2.1), + process index
 * (2.2), + UTC FILETIME and time-zone index (2.3). Frames are written in reverse file order and
 * the frame table lists them in capture order, as real files may.
 */
function netmon2(minor: number): Uint8Array {
  const startMs = Date.UTC(2024, 2, 5, 14, 30, 15, 250);
  const frames: { deltaUs: bigint; media: number; data: Uint8Array }[] = [
    { deltaUs: 0n, media: 1, data: frameBytes(66, 10) },
    { deltaUs: 3_000_123n, media: 1, data: frameBytes(66, 11) },
    { deltaUs: 3_000_500n, media: 0xfffe, data: utf8('dns cache metadata (skipped by Wireshark)') },
    { deltaUs: 9_000_001n, media: 0xe001, data: frameBytes(54, 12) },
    { deltaUs: 9_500_000n, media: 7, data: frameBytes(48, 13).subarray(14) },
  ];
  const w = new Writer(true);
  w.raw(utf8('GMBU')).u8(minor).u8(2).u16(1);
  const start = new Date(startMs);
  w.u16(start.getUTCFullYear())
    .u16(start.getUTCMonth() + 1)
    .u16(start.getUTCDay())
    .u16(start.getUTCDate());
  w.u16(start.getUTCHours()).u16(start.getUTCMinutes()).u16(start.getUTCSeconds()).u16(start.getUTCMilliseconds());
  const tableFieldAt = w.length;
  w.u32(0).u32(0); // frame table offset/length, patched below
  while (w.length < 128) w.u8(0);
  const offsets: number[] = new Array(frames.length);
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i];
    offsets[i] = w.length;
    w.u64(f.deltaUs).u32(f.data.length).u32(f.data.length).raw(f.data);
    if (minor >= 1) w.u16(f.media);
    if (minor >= 2) w.u32(0);
    if (minor >= 3) {
      // UTC FILETIME: 100 ns ticks since 1601; make it differ from start+delta by a few hundred ns
      // so a reader that ignores it is caught.
      const unix100ns = BigInt(startMs) * 10_000n + f.deltaUs * 10n + 7n;
      w.u64(unix100ns + 116_444_736_000_000_000n).u8(0);
    }
  }
  const tableAt = w.length;
  for (const o of offsets) w.u32(o);
  w.setU32(tableFieldAt, tableAt);
  w.setU32(tableFieldAt + 4, offsets.length * 4);
  if (minor >= 2) {
    // Comment table (2.2+): {frames per comment, frame offset, title length, UTF-16LE title,
    // description length, description}; NetMon 3.4 writes RTF descriptions.
    const commentAt = w.length;
    const comment = (frame: number, title: string, description: string): void => {
      const titleBytes = new Uint8Array(new Uint16Array([...title].map((c) => c.charCodeAt(0))).buffer);
      w.u32(1)
        .u32(offsets[frame])
        .u32(titleBytes.length)
        .raw(titleBytes)
        .u32(description.length)
        .raw(utf8(description));
    };
    comment(0, 'First SYN', 'the client tries 3389');
    comment(
      1,
      'Retransmission',
      '{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fnil\\fcharset0 Segoe UI;}}\\pard\\f0\\fs18 no answer after 3 s\\par}',
    );
    w.setU32(40, commentAt);
    w.setU32(44, w.length - commentAt);
  }
  return w.toBytes();
}

const fixtures: Record<string, Uint8Array> = {
  'pcapng-features.pcapng': pcapngFeatures(),
  'pcap-be-nsec-fcs.pcap': pcapFile(false, true, 0x04000000 | (2 << 28) | 1, [
    { sec: 1_700_000_000, frac: 999_999_999, data: frameBytes(64, 20), orig: 64 },
    { sec: 1_700_000_001, frac: 1, data: frameBytes(64, 21), orig: 64 },
    { sec: 1_700_000_003, frac: 500_000_000, data: frameBytes(40, 22), orig: 1518 },
  ]),
  'pcap-kuznetsov.pcap': kuznetsovPcap(),
  'netmon-2.1.cap': netmon2(1),
  'netmon-2.2.cap': netmon2(2),
  'netmon-2.3.cap': netmon2(3),
};

mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of Object.entries(fixtures)) {
  writeFileSync(join(outDir, name), bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
