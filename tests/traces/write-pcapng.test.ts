// The pcapng writer, read back by tshark/capinfos (the independent oracle) and by our own reader.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBytes } from '../../src/lib/capture/reader.ts';
import { LinkType } from '../../src/lib/capture/types.ts';
import { PcapngWriter, type PcapngPacket } from '../../src/lib/capture/write-pcapng.ts';
import { tsharkFields } from './tshark.ts';
import { requireCapinfos, requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();
const capinfos = requireCapinfos();

const scratch = mkdtempSync(join(tmpdir(), 'porttrace-write-pcapng-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Deterministic bytes of any length, so padding to 32 bits is exercised at every remainder. */
function bytesOfLength(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + seed * 17) & 0xff);
}

const SECTION_COMMENTS = ['first section comment', 'second one — with ünïcode'];
const interfaces = [
  { linkType: LinkType.ETHERNET, snapLength: 65535, name: 'eth0', description: 'test NIC', decimalResolution: 9 },
  { linkType: LinkType.RAW, name: 'tun0' }, // microseconds by default: no if_tsresol written
  { linkType: LinkType.ETHERNET, snapLength: 128, name: '\\Device\\NPF_{TEST}', decimalResolution: 7 },
];
const packets: PcapngPacket[] = [
  {
    interfaceId: 0,
    seconds: 1697552525,
    nanoseconds: 123456789,
    data: bytesOfLength(60, 1),
    direction: 'sent',
    comments: ['one comment'],
  },
  { interfaceId: 1, seconds: 1697552525, nanoseconds: 123456789, data: bytesOfLength(41, 2), direction: 'received' },
  {
    interfaceId: 2,
    seconds: 1697552526,
    nanoseconds: 999_999_999,
    data: bytesOfLength(128, 3),
    originalLength: 1514,
    comments: ['a', 'second comment'],
  },
  { interfaceId: 0, seconds: 0, nanoseconds: 1, data: bytesOfLength(1, 4) },
  { interfaceId: 0, seconds: 4102444800, nanoseconds: 0, data: bytesOfLength(2, 5), direction: 'received' }, // year 2100: beyond 32-bit seconds × 10⁹
  { interfaceId: 2, seconds: 1697552527, nanoseconds: 50, data: bytesOfLength(3, 6), direction: 'sent' },
];
const RESOLUTION = [9, 6, 7];

function buildFile(): Uint8Array {
  const writer = new PcapngWriter({
    comments: SECTION_COMMENTS,
    hardware: 'test hardware',
    os: 'test OS',
    userApplication: 'porttrace tests',
  });
  for (const spec of interfaces) writer.addInterface(spec);
  for (const packet of packets) writer.addPacket(packet);
  writer.addStatistics({
    interfaceId: 0,
    seconds: 1697552530,
    nanoseconds: 0,
    start: { seconds: 1697552520, nanoseconds: 0 },
    end: { seconds: 1697552530, nanoseconds: 0 },
    received: 3,
    dropped: 0,
  });
  return writer.toBytes();
}

/** The time as the interface's clock stored it: cut below its resolution. */
function storedNanoseconds(packet: PcapngPacket): number {
  const step = 10 ** (9 - RESOLUTION[packet.interfaceId]!);
  return Math.floor(packet.nanoseconds / step) * step;
}

const file = join(scratch, 'round-trip.pcapng');
const bytes = buildFile();
writeFileSync(file, bytes);

describe('PcapngWriter', () => {
  it('writes 32-bit aligned blocks whose two length fields agree', () => {
    expect(bytes.length % 4).toBe(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    const types: number[] = [];
    while (offset < bytes.length) {
      const length = view.getUint32(offset + 4, true);
      expect(length % 4).toBe(0);
      expect(view.getUint32(offset + length - 4, true)).toBe(length);
      types.push(view.getUint32(offset, true));
      offset += length;
    }
    expect(offset).toBe(bytes.length);
    expect(types).toEqual([0x0a0d0d0a, 1, 1, 1, 6, 6, 6, 6, 6, 6, 5]);
  });

  it.skipIf(tshark.skip)(`round-trips every packet field through tshark${tshark.note}`, () => {
    const rows = tsharkFields(file, [
      'frame.interface_id',
      'frame.interface_name',
      'frame.time_epoch',
      'frame.len',
      'frame.cap_len',
      'frame.comment',
      'frame.packet_flags_direction',
      'frame.encap_type',
    ]);
    expect(rows).toHaveLength(packets.length);
    rows.forEach((row, index) => {
      const packet = packets[index]!;
      const spec = interfaces[packet.interfaceId]!;
      expect(row['frame.interface_id']).toEqual([String(packet.interfaceId)]);
      expect(row['frame.interface_name']).toEqual([spec.name]);
      expect(row['frame.time_epoch']).toEqual([
        `${packet.seconds}.${String(storedNanoseconds(packet)).padStart(9, '0')}`,
      ]);
      expect(row['frame.cap_len']).toEqual([String(packet.data.length)]);
      expect(row['frame.len']).toEqual([String(packet.originalLength ?? packet.data.length)]);
      expect(row['frame.comment']).toEqual(packet.comments ?? []);
      // epb_flags bits 0-1: 1 inbound, 2 outbound (tshark prints the masked word in hex).
      const direction = { received: 1, sent: 2 }[packet.direction ?? 'received'];
      expect(row['frame.packet_flags_direction']!.map(Number)).toEqual(packet.direction ? [direction] : []);
    });
  });

  it.skipIf(tshark.skip)(`keeps the bytes of every packet${tshark.note}`, () => {
    const result = spawnSync('tshark', ['-r', file, '-x'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const dumps = result.stdout.trim().split(/\n\s*\n/);
    expect(dumps).toHaveLength(packets.length);
    dumps.forEach((dump, index) => {
      const hex = dump
        .split('\n')
        .map((line) => line.slice(6, 6 + 48).trim())
        .join(' ')
        .split(/\s+/)
        .filter((cell) => /^[0-9a-f]{2}$/.test(cell));
      expect(hex.join('')).toBe(Buffer.from(packets[index]!.data).toString('hex'));
    });
  });

  it.skipIf(capinfos.skip)(
    `writes section comments, hardware, OS, application, interfaces and statistics that capinfos reads${capinfos.note}`,
    () => {
      const result = spawnSync('capinfos', [file], { encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const out = result.stdout;
      for (const comment of SECTION_COMMENTS) expect(out).toContain(`Capture comment:     ${comment}`);
      expect(out).toContain('Capture hardware:    test hardware');
      expect(out).toContain('Capture oper-sys:    test OS');
      expect(out).toContain('Capture application: porttrace tests');
      expect(out).toContain('Number of interfaces in file: 3');
      expect(out).toMatch(/Description = test NIC/);
      expect(out).toMatch(/Capture length = 128/);
      expect(out).toMatch(/Time ticks per second = 10000000/);
      expect(out).toMatch(/Number of stat entries = 1/);
    },
  );

  it("is read back by porttrace's own reader with the same fields", () => {
    const result = readCaptureBytes(bytes);
    expect(result.error).toBeUndefined();
    expect(result.info?.comments).toEqual(SECTION_COMMENTS);
    expect(result.info?.interfaces.map((i) => [i.name, i.linkType])).toEqual(
      interfaces.map((i) => [i.name, i.linkType]),
    );
    expect(result.frames).toHaveLength(packets.length);
    result.frames.forEach((frame, index) => {
      const packet = packets[index]!;
      expect(frame.interfaceId).toBe(packet.interfaceId);
      expect([frame.seconds, frame.nanoseconds]).toEqual([packet.seconds, storedNanoseconds(packet)]);
      expect(Array.from(frame.data)).toEqual(Array.from(packet.data));
      expect(frame.originalLength).toBe(packet.originalLength ?? packet.data.length);
      expect(frame.direction).toBe(packet.direction);
      expect(frame.comments ?? []).toEqual(packet.comments ?? []);
    });
  });

  it('refuses what cannot be written, saying what', () => {
    const writer = new PcapngWriter();
    writer.addInterface({ linkType: LinkType.ETHERNET, snapLength: 4 });
    const packet = { interfaceId: 0, seconds: 1, nanoseconds: 0, data: bytesOfLength(4, 0) };
    expect(() => writer.addPacket({ ...packet, interfaceId: 1 })).toThrow(/interface 1 was not added/);
    expect(() => writer.addPacket({ ...packet, data: bytesOfLength(5, 0) })).toThrow(
      /exceed the interface's snap length 4/,
    );
    expect(() => writer.addPacket({ ...packet, nanoseconds: 1_000_000_000 })).toThrow(/nanoseconds/);
    expect(() => writer.addPacket({ ...packet, seconds: -1 })).toThrow(/seconds/);
    expect(() => writer.addPacket({ ...packet, originalLength: 3 })).toThrow(/original length 3/);
    expect(() => writer.addInterface({ linkType: 1, decimalResolution: 10 })).toThrow(/resolution 10/);
    expect(() => new PcapngWriter({ comments: ['x'.repeat(70_000)] })).toThrow(RangeError);
  });
});
