// A deliberately small pcapng reader for the ETL tests: enough to pull frames (bytes, time in
// nanoseconds, interface link type) out of the corpus files to feed the test ETL writer. It
// shares no code with src/lib so that a bug there cannot hide itself here; its frame counts are
// checked against capinfos' numbers in the corpus MANIFEST.

export interface SourceFrame {
  data: Uint8Array;
  /** Nanoseconds since 1970 (exact for µs and ns resolution files). */
  timeNs: bigint;
  linkType: number;
  originalLength: number;
}

export function pcapngFrames(file: Uint8Array): SourceFrame[] {
  const frames: SourceFrame[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let little = true;
  let interfaces: Array<{ linkType: number; unitsPerSecond: bigint }> = [];
  let p = 0;
  while (p + 12 <= file.length) {
    const type = view.getUint32(p, true);
    if (type === 0x0a0d0d0a) {
      little = view.getUint32(p + 8, true) === 0x1a2b3c4d;
      interfaces = [];
    }
    const length = view.getUint32(p + 4, little);
    if (length < 12 || p + length > file.length) throw new Error(`pcapng block at ${p} has bad length ${length}`);
    const blockType = view.getUint32(p, little);
    if (blockType === 1) {
      // Interface Description Block: link type, then options (if_tsresol = 9).
      let unitsPerSecond = 1_000_000n;
      let o = p + 16;
      while (o + 4 <= p + length - 4) {
        const code = view.getUint16(o, little);
        const optLength = view.getUint16(o + 2, little);
        if (code === 0) break;
        if (code === 9) {
          const res = file[o + 4];
          unitsPerSecond = res & 0x80 ? 2n ** BigInt(res & 0x7f) : 10n ** BigInt(res);
        }
        o += 4 + ((optLength + 3) & ~3);
      }
      interfaces.push({ linkType: view.getUint16(p + 8, little), unitsPerSecond });
    } else if (blockType === 6) {
      // Enhanced Packet Block.
      const iface = interfaces[view.getUint32(p + 8, little)];
      const units = (BigInt(view.getUint32(p + 12, little)) << 32n) | BigInt(view.getUint32(p + 16, little));
      const captured = view.getUint32(p + 20, little);
      const original = view.getUint32(p + 24, little);
      frames.push({
        data: file.slice(p + 28, p + 28 + captured),
        timeNs: (units * 1_000_000_000n) / iface.unitsPerSecond,
        linkType: iface.linkType,
        originalLength: original,
      });
    }
    p += length;
  }
  return frames;
}
