// `npm run bench:filters`: how long display filters take over a 500,000-packet capture.
// The capture is a real one (by default Zeek's http/methods.pcap from the vendored corpus: many
// short HTTP connections; give another as the first argument, e.g. Practical Packet Analysis's
// synscan.pcapng, which the numbers in docs/PERFORMANCE.md were measured on) repeated with fresh
// frame numbers and times, so readers see real dissections. Prints one line per filter:
// the compile time, the first run (which pays for per-capture analysis such as tcp.stream)
// and the median of the later runs (re-filtering, what typing in the filter bar costs).
import { readFileSync } from 'node:fs';
import { compileFilter } from '../src/lib/filter/index.ts';
import { loadCaptureBytes } from '../src/lib/load.ts';
import { frameOf, type Capture } from '../src/lib/packets.ts';
import { PacketStore } from '../src/lib/store/packet-store.ts';
import { corpusPath } from '../tests/support/corpus.ts';

const SOURCE = process.argv[2] ?? corpusPath('zeek/Traces/http/methods.pcap');
const TARGET = Number(process.argv[3] ?? 500_000);

const base = loadCaptureBytes(new Uint8Array(readFileSync(SOURCE)));
const span = base.packets[base.packets.length - 1].seconds - base.packets[0].seconds + 1;
// Stored as a loaded capture is: columns, frame bytes and packet handles whose layers are
// decoded again when asked for (a store built from packet objects would keep their
// dissections, which a loaded capture does not have).
const store = new PacketStore(TARGET);
store.setFcsLengths(base.info);
for (let round = 0; store.count < TARGET; round++) {
  for (const p of base.packets) {
    if (store.count >= TARGET) break;
    store.add({ ...frameOf(p), number: store.count + 1, seconds: p.seconds + round * span });
  }
}
store.finish(base.info);
const capture: Capture = { info: base.info, packets: store.packets(), store };

const FILTERS = [
  'tcp.port == 3389',
  'tcp.flags.syn == 1 && tcp.flags.ack == 0',
  'ip.addr == 10.0.0.0/8 || ip.addr == 192.168.0.0/16',
  'tcp.port in {80, 443, 3389, 8000..8080}',
  '!(tcp.port == 80) && frame.len > 60',
  'tcp.flags & 0x12 == 0x12',
  'frame contains "GET"',
  'tcp.stream == 7',
  'tcp.analysis.retransmission && tcp.flags.syn == 1',
];

const ms = (t: number) => `${t.toFixed(1).padStart(7)} ms`;
console.log(`${capture.packets.length.toLocaleString('en')} packets (${SOURCE} repeated)\n`);
console.log(`${'filter'.padEnd(52)} compile    first run  re-run (median of 5)  matches`);
for (const text of FILTERS) {
  let t = performance.now();
  const result = compileFilter(text);
  const compileTime = performance.now() - t;
  if (!result.ok) throw new Error(`${text}: ${result.error.message}`);
  t = performance.now();
  const matches = result.filter.run(capture);
  const first = performance.now() - t;
  const again: number[] = [];
  for (let i = 0; i < 5; i++) {
    t = performance.now();
    result.filter.run(capture);
    again.push(performance.now() - t);
  }
  again.sort((a, b) => a - b);
  console.log(
    `${text.padEnd(52)} ${ms(compileTime)} ${ms(first)}  ${ms(again[2])}            ${matches.length.toLocaleString('en')}`,
  );
}
