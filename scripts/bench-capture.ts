// Capture-reader benchmark. Generates (once) a deterministic ~100 MB pcapng in bench-data/
// (gitignored): many TCP connections to 3389/88/445/80 — handshakes with a little data and a
// close, refused attempts (RST) and unanswered SYNs retransmitted at 3 s and 9 s — then times
// reading it (median of 5) in memory and as a 64 KiB-chunk stream, and the same file with
// `tshark -r FILE -T fields -e frame.number` when tshark is installed.
// Run: npm run bench:capture   (BENCH_MB=200 for a bigger file)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCaptureReader, readCaptureBytes } from '../src/lib/capture/reader.ts';

const targetMB = Number(process.env.BENCH_MB ?? 100);
const dir = join(import.meta.dirname, '..', 'bench-data');
const file = join(dir, `capture-bench-${targetMB}mb.pcapng`);

// ------------------------------------------------------------------ generation
/** Small deterministic PRNG (xorshift32) so every run writes the same bytes. */
let state = 0x2545f491;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}

function checksum(bytes: Uint8Array, start: number, end: number, initial: number): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if ((end - start) & 1) sum += bytes[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

interface Endpoint {
  mac: number[];
  ip: number[];
  port: number;
}

const SYN = 0x02,
  RST = 0x04,
  PSH = 0x08,
  ACK = 0x10,
  FIN = 0x01;

/** Ethernet + IPv4 + TCP frame with correct IP and TCP checksums. */
function tcpFrame(
  from: Endpoint,
  to: Endpoint,
  seq: number,
  ack: number,
  flags: number,
  payload: number,
  ipId: number,
  ttl: number,
): Uint8Array {
  const options = flags & SYN ? [0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08, 0x01, 0x01, 0x04, 0x02] : [];
  const tcpLength = 20 + options.length + payload;
  const frame = new Uint8Array(14 + 20 + tcpLength);
  frame.set(to.mac, 0);
  frame.set(from.mac, 6);
  frame[12] = 0x08;
  const ip = 14;
  frame[ip] = 0x45;
  const total = 20 + tcpLength;
  frame[ip + 2] = total >>> 8;
  frame[ip + 3] = total & 0xff;
  frame[ip + 4] = (ipId >>> 8) & 0xff;
  frame[ip + 5] = ipId & 0xff;
  frame[ip + 6] = 0x40;
  frame[ip + 8] = ttl;
  frame[ip + 9] = 6;
  frame.set(from.ip, ip + 12);
  frame.set(to.ip, ip + 16);
  const ipSum = checksum(frame, ip, ip + 20, 0);
  frame[ip + 10] = ipSum >>> 8;
  frame[ip + 11] = ipSum & 0xff;
  const tcp = ip + 20;
  frame[tcp] = from.port >>> 8;
  frame[tcp + 1] = from.port & 0xff;
  frame[tcp + 2] = to.port >>> 8;
  frame[tcp + 3] = to.port & 0xff;
  new DataView(frame.buffer).setUint32(tcp + 4, seq >>> 0);
  new DataView(frame.buffer).setUint32(tcp + 8, ack >>> 0);
  frame[tcp + 12] = ((20 + options.length) / 4) << 4;
  frame[tcp + 13] = flags;
  frame[tcp + 14] = 0xfa;
  frame[tcp + 15] = 0xf0;
  frame.set(options, tcp + 20);
  for (let i = tcp + 20 + options.length; i < frame.length; i++) frame[i] = (i * 31) & 0xff;
  const pseudo =
    ((from.ip[0] << 8) | from.ip[1]) +
    ((from.ip[2] << 8) | from.ip[3]) +
    ((to.ip[0] << 8) | to.ip[1]) +
    ((to.ip[2] << 8) | to.ip[3]) +
    6 +
    tcpLength;
  const tcpSum = checksum(frame, tcp, frame.length, pseudo);
  frame[tcp + 16] = tcpSum >>> 8;
  frame[tcp + 17] = tcpSum & 0xff;
  return frame;
}

class PcapngWriter {
  private parts: Uint8Array[] = [];
  private current = new Uint8Array(1 << 22);
  private view = new DataView(this.current.buffer);
  private used = 0;
  total = 0;
  frames = 0;

  private room(n: number): void {
    if (this.used + n > this.current.length) {
      this.parts.push(this.current.subarray(0, this.used));
      this.current = new Uint8Array(Math.max(1 << 22, n));
      this.view = new DataView(this.current.buffer);
      this.used = 0;
    }
  }

  header(): void {
    this.room(28 + 32);
    const v = this.view;
    let p = this.used;
    v.setUint32(p, 0x0a0d0d0a, true);
    v.setUint32(p + 4, 28, true);
    v.setUint32(p + 8, 0x1a2b3c4d, true);
    v.setUint16(p + 12, 1, true);
    v.setInt32(p + 16, -1, true);
    v.setInt32(p + 20, -1, true);
    v.setUint32(p + 24, 28, true);
    p += 28;
    // IDB: Ethernet, snaplen 262144, if_tsresol = 9 (nanoseconds).
    v.setUint32(p, 1, true);
    v.setUint32(p + 4, 32, true);
    v.setUint16(p + 8, 1, true);
    v.setUint32(p + 12, 262144, true);
    v.setUint16(p + 16, 9, true);
    v.setUint16(p + 18, 1, true);
    this.current[p + 20] = 9;
    v.setUint32(p + 24, 0, true);
    v.setUint32(p + 28, 32, true);
    this.used = p + 32;
    this.total += 60;
  }

  packet(nanos: bigint, frame: Uint8Array): void {
    const padded = (frame.length + 3) & ~3;
    const length = 32 + padded;
    this.room(length);
    const v = this.view;
    const p = this.used;
    v.setUint32(p, 6, true);
    v.setUint32(p + 4, length, true);
    v.setUint32(p + 8, 0, true);
    v.setUint32(p + 12, Number(nanos >> 32n), true);
    v.setUint32(p + 16, Number(nanos & 0xffffffffn), true);
    v.setUint32(p + 20, frame.length, true);
    v.setUint32(p + 24, frame.length, true);
    this.current.set(frame, p + 28);
    this.current.fill(0, p + 28 + frame.length, p + 28 + padded);
    v.setUint32(p + 28 + padded, length, true);
    this.used += length;
    this.total += length;
    this.frames++;
  }

  bytes(): Uint8Array {
    this.parts.push(this.current.subarray(0, this.used));
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

function generate(): void {
  const w = new PcapngWriter();
  w.header();
  const server: Endpoint = { mac: [0x00, 0x15, 0x5d, 0x00, 0x00, 0x02], ip: [10, 0, 0, 2], port: 3389 };
  let now = 1_732_000_000_000_000_000n; // ns
  const limit = targetMB * 1_000_000;
  let connection = 0;
  // Frames of overlapping connections are interleaved through a small queue ordered by time.
  const queue: { at: bigint; frame: Uint8Array }[] = [];
  const flush = (until: bigint): void => {
    queue.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    while (queue.length && queue[0].at <= until) {
      const next = queue.shift()!;
      w.packet(next.at, next.frame);
    }
  };
  while (w.total < limit) {
    connection++;
    const client: Endpoint = {
      mac: [0x00, 0x15, 0x5d, 0x01, (connection >>> 8) & 0xff, connection & 0xff],
      ip: [10, 1, (connection >>> 8) & 0xff, connection & 0xff],
      port: 49152 + (connection % 16000),
    };
    const port = [3389, 88, 445, 80][connection % 4];
    const to = { ...server, port };
    const isn = Math.floor(random() * 2 ** 32);
    const sisn = Math.floor(random() * 2 ** 32);
    const rtt = BigInt(200_000 + Math.floor(random() * 2_000_000));
    const kind = random();
    let t = now;
    const add = (delay: bigint, frame: Uint8Array): void => {
      t += delay;
      queue.push({ at: t, frame });
    };
    if (kind < 0.15) {
      // Blocked: SYN, retransmitted at +3 s and +9 s (legacy Windows), never answered.
      add(0n, tcpFrame(client, to, isn, 0, SYN, 0, connection & 0xffff, 128));
      add(3_000_000_000n, tcpFrame(client, to, isn, 0, SYN, 0, (connection + 1) & 0xffff, 128));
      add(6_000_000_000n, tcpFrame(client, to, isn, 0, SYN, 0, (connection + 2) & 0xffff, 128));
    } else if (kind < 0.3) {
      // Closed: SYN answered by RST/ACK.
      add(0n, tcpFrame(client, to, isn, 0, SYN, 0, connection & 0xffff, 128));
      add(rtt, tcpFrame(to, client, 0, isn + 1, RST | ACK, 0, 0, 64));
    } else {
      // Open: handshake, a few data segments each way, FIN/ACK close.
      add(0n, tcpFrame(client, to, isn, 0, SYN, 0, connection & 0xffff, 128));
      add(rtt, tcpFrame(to, client, sisn, isn + 1, SYN | ACK, 0, 0, 64));
      add(rtt, tcpFrame(client, to, isn + 1, sisn + 1, ACK, 0, (connection + 1) & 0xffff, 128));
      let cseq = isn + 1;
      let sseq = sisn + 1;
      const exchanges = 1 + Math.floor(random() * 4);
      for (let i = 0; i < exchanges; i++) {
        const request = 50 + Math.floor(random() * 400);
        add(1_000_000n, tcpFrame(client, to, cseq, sseq, PSH | ACK, request, (connection + 2 + i) & 0xffff, 128));
        cseq += request;
        const response = random() < 0.5 ? 1460 : 100 + Math.floor(random() * 1000);
        add(rtt, tcpFrame(to, client, sseq, cseq, PSH | ACK, response, i, 64));
        sseq += response;
      }
      add(2_000_000n, tcpFrame(client, to, cseq, sseq, FIN | ACK, 0, (connection + 9) & 0xffff, 128));
      add(rtt, tcpFrame(to, client, sseq, cseq + 1, FIN | ACK, 0, 99, 64));
      add(rtt, tcpFrame(client, to, cseq + 1, sseq + 1, ACK, 0, (connection + 10) & 0xffff, 128));
    }
    now += BigInt(50_000 + Math.floor(random() * 400_000));
    flush(now);
  }
  flush(1n << 62n);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, w.bytes());
  console.log(
    `generated ${file.split('/').slice(-2).join('/')}: ${w.total.toLocaleString('en-US')} bytes, ${w.frames.toLocaleString('en-US')} frames, ${connection} connections`,
  );
}

// ------------------------------------------------------------------ timing
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

if (!existsSync(file)) generate();

/** Time one file: streamed from disk in 64 KiB chunks, then whole in memory (median of 5 each). */
function timeFile(path: string, label: string): { mb: number; inMemoryMs: number } {
  const size = statSync(path).size;
  const mb = size / 1e6;
  let frames = 0;
  const streamed: number[] = [];
  const chunk = new Uint8Array(64 * 1024);
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    const reader = createCaptureReader({ totalBytes: size });
    const fd = openSync(path, 'r');
    let count = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      count += reader.push(chunk.subarray(0, n)).length;
    }
    closeSync(fd);
    const end = reader.finish();
    if (end.error) throw new Error(end.error.message);
    count += end.frames.length;
    streamed.push(performance.now() - t0);
    frames = count;
  }
  const rssAfterStreaming = process.resourceUsage().maxRSS / 1024;
  const bytes = new Uint8Array(readFileSync(path));
  const inMemory: number[] = [];
  for (let run = 0; run < 5; run++) {
    const t0 = performance.now();
    const result = readCaptureBytes(bytes);
    inMemory.push(performance.now() - t0);
    if (result.error) throw new Error(result.error.message);
    if (result.frames.length !== frames)
      throw new Error(`in-memory read ${result.frames.length} frames, stream ${frames}`);
  }
  const report = (how: string, ms: number): void => {
    console.log(
      `${`${label} ${how}`.padEnd(36)} ${(mb / (ms / 1000)).toFixed(0).padStart(6)} MB/s  ${(frames / (ms / 1000) / 1e6).toFixed(2)} M frames/s  (median ${ms.toFixed(0)} ms of 5)`,
    );
  };
  console.log(`${label}: ${mb.toFixed(1)} MB, ${frames.toLocaleString('en-US')} frames`);
  report('push() 64 KiB chunks (disk)', median(streamed));
  report('readCaptureBytes (memory)', median(inMemory));
  console.log(
    `  peak RSS after the streamed runs: ${rssAfterStreaming.toFixed(0)} MiB; after the in-memory runs (every frame object kept): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  return { mb, inMemoryMs: median(inMemory) };
}

/**
 * Read + decode with every packet kept (loadCaptureStream into the packet store), one load per
 * process so each peak is that load's own: the median of 5 processes.
 */
function timeDecode(path: string, label: string, mode: 'stream' | 'memory'): number {
  const results: Array<{
    medianMs: number;
    packets: number;
    bytes: number;
    peakGrowthBytes: number;
    retainedBytes: number;
  }> = [];
  for (let run = 0; run < 5; run++) {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'bench-decode.ts'), path, '1', mode],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(`bench-decode failed: ${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!));
  }
  const ms = median(results.map((r) => r.medianMs));
  const { bytes, packets } = results[0];
  const peak = median(results.map((r) => r.peakGrowthBytes));
  const retained = median(results.map((r) => r.retainedBytes));
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
  console.log(
    `${`${label} read + decode (${mode === 'stream' ? 'disk, 64 KiB chunks' : 'in memory'})`.padEnd(44)} ${(bytes / 1e6 / (ms / 1000)).toFixed(0).padStart(6)} MB/s  ` +
      `${(packets / (ms / 1000) / 1e6).toFixed(2)} M packets/s  (median ${ms.toFixed(0)} ms of 5 processes, every packet kept)`,
  );
  // A file already in memory was the caller's before the load: its peak says nothing.
  if (mode === 'stream')
    console.log(
      `  memory: peak ${mib(peak)} above the process before loading = ${(peak / bytes).toFixed(2)} × the file; ` +
        `held once loaded ${mib(retained)} = ${(retained / bytes).toFixed(2)} × the file`,
    );
  return ms;
}

const pcapng = timeFile(file, 'pcapng');
const decodeMs = timeDecode(file, 'pcapng', 'stream');
timeDecode(file, 'pcapng', 'memory');
const pcapFile = file.replace(/\.pcapng$/, '.pcap');
if (!existsSync(pcapFile) && spawnSync('editcap', ['-F', 'pcap', file, pcapFile]).status !== 0)
  console.log('editcap not installed: no pcap copy');
if (existsSync(pcapFile)) {
  timeFile(pcapFile, 'pcap');
  timeDecode(pcapFile, 'pcap', 'stream');
}
const mb = pcapng.mb;

const tshark = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
if (tshark.status === 0) {
  const t0 = performance.now();
  const run = spawnSync('sh', ['-c', `tshark -r '${file}' -T fields -e frame.number > /dev/null 2>&1`]);
  const ms = performance.now() - t0;
  if (run.status === 0) {
    console.log(
      `tshark -T fields -e frame.number ${(mb / (ms / 1000)).toFixed(0).padStart(6)} MB/s  (one run, ${ms.toFixed(0)} ms)`,
    );
    console.log(
      `ratio: the pcapng read in memory is ${(ms / pcapng.inMemoryMs).toFixed(0)}x faster than tshark; read + decode ${(ms / decodeMs).toFixed(1)}x`,
    );
  }
} else {
  console.log('tshark not installed: no comparison');
}
