// Damaged .etl files give typed errors saying what and where, never a throw, and keep every
// packet whose events lie before (or outside) the damage.
import { describe, expect, it } from 'vitest';
import { readEtl } from '../../src/lib/capture/etl.ts';
import { CaptureError } from '../../src/lib/capture/types.ts';
import { writeEtl, type WrittenEtl } from './write-etl.ts';
import { corpusBytes, framesOf, hex, packetsFrom } from './helpers.ts';

const packets = packetsFrom(framesOf('zeek/Traces/smtp/smtp-bdat-cmd-invalid.pcapng'), {
  fragments: (i) => 1 + (i % 3),
  twoInterfaces: true,
  cpus: 3,
});
const pristine: WrittenEtl = writeEtl(packets, { shuffleSeed: 11, bufferSize: 1024, noise: true });
const full = readEtl(pristine.bytes);
const keyOfFrame = (f: { seconds: number; nanoseconds: number; data: Uint8Array }) =>
  `${f.seconds}.${f.nanoseconds} ${hex(f.data)}`;
const allKeys = new Set(full.frames.map(keyOfFrame));
/** The frame each input packet became (found by time and bytes in the undamaged read). */
const keyOfPacket = packets.map((_, i) => {
  const frame = full.frames.find((f) => hex(f.data) === hex(packets[i].data));
  return frame ? keyOfFrame(frame) : '';
});

function damaged(edit: (bytes: Uint8Array, view: DataView) => void): Uint8Array {
  const bytes = pristine.bytes.slice();
  edit(bytes, new DataView(bytes.buffer));
  return bytes;
}

/** Packets whose fragments sit in more than one buffer. */
const spansBuffers = (i: number) => new Set(pristine.packetEvents[i].map(([s]) => Math.floor(s / 1024))).size > 1;

/**
 * Packets none of whose events touch [from, to). In a damaged file a packet split across
 * buffers is dropped on purpose (a lost buffer could have held a middle piece): not expected.
 */
function packetsOutside(from: number, to: number): number[] {
  return packets
    .map((_, i) => i)
    .filter((i) => !spansBuffers(i) && pristine.packetEvents[i].every(([s, e]) => e <= from || s >= to));
}

function expectKept(read: ReturnType<typeof readEtl>, packetIndexes: number[]) {
  const got = new Set(read.frames.map(keyOfFrame));
  for (const i of packetIndexes) expect(got.has(keyOfPacket[i]), `packet ${i} kept`).toBe(true);
  // And nothing invented.
  for (const k of got) expect(allKeys.has(k)).toBe(true);
}

describe('the undamaged file', () => {
  it('reads cleanly, so every damage test below starts from a good file', () => {
    expect(full.error).toBeUndefined();
    expect(full.frames.length).toBe(packets.length);
    expect(keyOfPacket.every((k) => k !== '')).toBe(true);
    // Some packets are split across two buffers of one CPU and were joined back.
    expect(packets.some((_, i) => spansBuffers(i))).toBe(true);
  });
});

describe('truncated files', () => {
  it('cut at every 8th byte: a truncated error at the cut, and every packet wholly before it kept', () => {
    for (let length = 0; length < pristine.bytes.length; length += 8) {
      const read = readEtl(pristine.bytes.subarray(0, length));
      expect(read.error, `cut at ${length}`).toBeInstanceOf(CaptureError);
      if (length === 0) expect(read.error!.kind).toBe('not-a-capture');
      else expect(read.error!.kind, `cut at ${length}: ${read.error!.message}`).toBe('truncated');
      expect(read.error!.offset).toBeLessThanOrEqual(length);
      expectKept(read, packetsOutside(length, Infinity));
    }
  });

  it('cut exactly between two buffers: the logfile header count gives it away', () => {
    const cut = pristine.buffers[3].offset;
    const read = readEtl(pristine.bytes.subarray(0, cut));
    expect(read.error?.kind).toBe('truncated');
    expect(read.error?.message).toMatch(/after 3 buffers; its logfile header says \d+ were written/);
    expectKept(read, packetsOutside(cut, Infinity));
  });

  it('a BufferSize running past the end of the file: truncated, earlier buffers kept', () => {
    const k = 4;
    const at = pristine.buffers[k].offset;
    const read = readEtl(damaged((_, v) => v.setUint32(at, 0x7fff_fff8, true)));
    expect(read.error?.kind).toBe('truncated');
    expect(read.error?.message).toContain(`inside buffer ${k} (byte ${at.toLocaleString('en-US')})`);
    // The buffer itself is still read up to its SavedOffset; only buffers after it are lost.
    expectKept(read, packetsOutside(at + pristine.buffers[k].size, Infinity));
  });
});

describe('malformed sizes', () => {
  const withPacket = pristine.buffers.findIndex(
    (b, i) => i > 0 && pristine.packetEvents.some((ev) => ev.some(([s]) => s >= b.offset && s < b.offset + b.size)),
  );
  const buffer = pristine.buffers[withPacket];

  it('an event size running past SavedOffset: malformed at that event; events before it and other buffers kept', () => {
    const [eventStart] = pristine.packetEvents
      .flat()
      .filter(([s]) => s >= buffer.offset && s < buffer.offset + buffer.size)
      .sort((a, b) => b[0] - a[0])[0];
    const tooBig = buffer.offset + buffer.savedOffset - eventStart + 8;
    const read = readEtl(damaged((_, v) => v.setUint16(eventStart, tooBig, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(eventStart);
    expect(read.error?.message).toContain(`says it is ${tooBig.toLocaleString('en-US')} bytes`);
    expectKept(read, packetsOutside(eventStart, buffer.offset + buffer.size));
  });

  it('an event size smaller than its header: malformed, the rest of that buffer skipped, others kept', () => {
    const at = buffer.offset + 0x48;
    const read = readEtl(damaged((_, v) => v.setUint16(at, 16, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(at);
    expectKept(read, packetsOutside(buffer.offset, buffer.offset + buffer.size));
  });

  it('a SavedOffset beyond the buffer: malformed; the second copy (FilledBytes) still reads it', () => {
    const read = readEtl(damaged((_, v) => v.setUint32(buffer.offset + 4, buffer.size + 64, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(buffer.offset + 4);
    expect(read.error?.message).toContain('reading up to FilledBytes');
    expectKept(read, packetsOutside(0, 0));
  });

  it('both copies of the data end beyond the buffer: malformed, that buffer skipped, others kept', () => {
    const read = readEtl(
      damaged((_, v) => {
        v.setUint32(buffer.offset + 4, buffer.size + 64, true);
        v.setUint32(buffer.offset + 48, 3, true);
      }),
    );
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(buffer.offset + 4);
    expectKept(read, packetsOutside(buffer.offset, buffer.offset + buffer.size));
    const inBuffer = packets
      .map((_, i) => i)
      .filter((i) => pristine.packetEvents[i].some(([s]) => s >= buffer.offset && s < buffer.offset + buffer.size));
    const got = new Set(read.frames.map(keyOfFrame));
    for (const i of inBuffer) expect(got.has(keyOfPacket[i])).toBe(false);
  });

  it('a blank (zeroed) buffer in the middle: malformed, stepped over with the trace buffer size, later buffers kept', () => {
    const b = pristine.buffers[3];
    const read = readEtl(damaged((bytes) => bytes.fill(0, b.offset, b.offset + b.size)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(b.offset);
    expect(read.error?.message).toContain('is blank but data follows; skipping 1,024 bytes');
    expectKept(read, packetsOutside(b.offset, b.offset + b.size));
  });

  it('zero-filled space after the last buffer (a preallocated file) is not damage', () => {
    const padded = new Uint8Array(pristine.bytes.length + 5000);
    padded.set(pristine.bytes);
    const read = readEtl(padded);
    expect(read.error).toBeUndefined();
    expect(read.frames.length).toBe(packets.length);
  });

  it('a BufferSize of 13: malformed, and nothing after it can be found', () => {
    const at = pristine.buffers[2].offset;
    const read = readEtl(damaged((_, v) => v.setUint32(at, 13, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(at);
    expectKept(read, packetsOutside(at, Infinity));
  });

  it('a FragmentSize larger than the event: malformed at that event, other packets kept', () => {
    const [s, e] = pristine.packetEvents[4][0];
    const userStart = e - (e - s - 80) + (new DataView(pristine.bytes.buffer).getUint16(s + 4, true) & 1 ? 40 : 0);
    const read = readEtl(damaged((_, v) => v.setUint32(s + 80 + (userStart - s - 80) + 8, 100_000, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(s);
    expect(read.error?.message).toMatch(/FragmentSize 100,000/);
    expectKept(
      read,
      packets.map((_, i) => i).filter((i) => i !== 4 && !spansBuffers(i)),
    );
  });

  it('an extended data item claiming more than the event holds: that event is skipped', () => {
    const [s] = pristine.packetEvents
      .flat()
      .find(([start]) => new DataView(pristine.bytes.buffer).getUint16(start + 4, true) & 1)!;
    const read = readEtl(damaged((_, v) => v.setUint16(s + 80, 4000, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(s + 80);
    const owner = pristine.packetEvents.findIndex((ev) => ev.some(([start]) => start === s));
    expectKept(
      read,
      packets.map((_, i) => i).filter((i) => i !== owner && !spansBuffers(i)),
    );
  });

  it('a logfile header with a QPC frequency of 0: malformed, nothing guessed', () => {
    // PerfFreq sits at logfile header + 256 (64-bit form) = 0x48 + 32 + 256.
    const read = readEtl(damaged((_, v) => v.setBigInt64(0x48 + 32 + 256, 0n, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toContain('QPC clock runs at 0 Hz');
    expect(read.frames).toEqual([]);
  });
});

describe('Hyper-V switch fragments (event 1003) with bad counts', () => {
  const vmPackets = packets.map((p) => ({
    ...p,
    fragments: 1,
    vmSwitch: { portId: 2, portName: 'P', nicName: 'N', nicType: 'T', destinations: 1 },
  }));
  const vm = writeEtl(vmPackets, { bufferSize: 2048 });
  const [s] = vm.packetEvents[3][0];
  // User data: 12 bytes of indexes, then "P\0", "N\0", "T\0" (4 bytes each), then DestinationCount.
  const destinationCount = s + 80 + 12 + 12;

  it('a DestinationCount larger than the event: malformed at that event, the others kept', () => {
    const bytes = vm.bytes.slice();
    new DataView(bytes.buffer).setUint32(destinationCount, 0x0fff_ffff, true);
    const read = readEtl(bytes);
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.offset).toBe(s);
    expect(read.error?.message).toContain('DestinationCount 268,435,455');
    expect(read.frames.length).toBe(vmPackets.length - 1);
  });

  it('a port name with no terminating NUL: malformed, never a read past the event', () => {
    const bytes = vm.bytes.slice();
    const end = vm.packetEvents[3][0][1];
    bytes.fill(0x41, s + 80 + 12, end);
    const read = readEtl(bytes);
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toContain('runs past the end of the event');
    expect(read.frames.length).toBe(vmPackets.length - 1);
  });
});

describe('what is not an ETL or not supported', () => {
  it('a pcapng file is not-a-capture', () => {
    const read = readEtl(corpusBytes('zeek/Traces/dce-rpc/kerberos445_auth.pcapng'));
    expect(read.error?.kind).toBe('not-a-capture');
    expect(read.frames).toEqual([]);
  });

  it('a buffer claiming the compressed state (State 5) but holding plain events: malformed at that buffer, the others read', () => {
    const at = pristine.buffers[2].offset;
    const read = readEtl(damaged((_, v) => v.setUint32(at + 44, 5, true)));
    expect(read.error?.kind).toBe('malformed');
    expect(read.error?.message).toMatch(/^compressed buffer 2 at byte /);
    expect(read.error?.offset).toBeGreaterThanOrEqual(at);
    expect(read.error?.offset).toBeLessThan(at + pristine.buffers[2].size);
    expectKept(read, packetsOutside(at, at + pristine.buffers[2].size));
  });
});
