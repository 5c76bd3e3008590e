// Compares our Info column with live tshark on any captures, for TCP packets that tshark
// describes as TCP. Not a test: a tool to measure how close the TCP analysis is on captures
// beyond the committed goldens.
//   npm exec -- tsx tests/decode/compare-with-tshark.ts tests/corpus/zeek/Traces/*.pcap
// Prints "equal/compared", a count per kind of difference, and a few examples (KEY=prefix|body|
// "not decoded" picks which).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';

const files = process.argv.slice(2);
const wanted = process.env.KEY ?? 'prefix';
let compared = 0;
let equal = 0;
const kinds: Record<string, number> = {};
const examples: string[] = [];
for (const file of files) {
  let out: string;
  try {
    out = execFileSync(
      'tshark',
      ['-n', '-r', file, '-T', 'fields', '-E', 'separator=\t', '-e', '_ws.col.Protocol', '-e', '_ws.col.Info'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 1 << 28,
      },
    );
  } catch {
    continue; // a file tshark refuses
  }
  const rows = out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t'));
  const capture = loadCaptureBytes(new Uint8Array(readFileSync(file)));
  if (capture.packets.length !== rows.length) {
    console.log(`packet count differs: ${file}: ours ${capture.packets.length}, tshark ${rows.length}`);
    continue;
  }
  const descriptions = describePackets(capture.packets);
  rows.forEach(([protocol, info], i) => {
    if (protocol !== 'TCP' || !info) return;
    // Application-layer text and reassembly notes are not TCP's (see golden.test.ts).
    const theirs = info.replace(/ ?\[TCP segment of a reassembled PDU\]$/, '').trimEnd();
    if (!/^(\[[^\]]+\] )*\d+ → \d+ /.test(theirs)) return;
    compared++;
    const ours = descriptions[i].info;
    if (ours === theirs) {
      equal++;
      return;
    }
    const notes = (text: string) => (text.match(/^(\[[^\]]+\] )+/) ?? [''])[0];
    const packet = capture.packets[i];
    const kind = !packet.dissection.tcp
      ? `not decoded: ${(packet.dissection.problem ?? '').slice(0, 50)}`
      : notes(ours) !== notes(theirs)
        ? `prefix: ours '${notes(ours)}' tshark '${notes(theirs)}'`
        : 'body';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (examples.length < 30 && kind.startsWith(wanted))
      examples.push(`${file}#${i + 1}\n   ours   ${ours}\n   tshark ${theirs}`);
  });
}
console.log(`${equal}/${compared} TCP Info lines equal`);
for (const [kind, count] of Object.entries(kinds)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 25))
  console.log(`${count} ${kind}`);
console.log(examples.join('\n'));
