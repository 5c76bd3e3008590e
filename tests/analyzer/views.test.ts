// Follow Stream, the I/O graph, the time-sequence graph and the expert summary
// (src/lib/analyzer) against tshark 4.0 where it has the same view: `-z follow,…,raw` (the
// bytes each side sent, chunk by chunk) and `-z io,stat` (frames per interval per filter), in
// tests/golden/analyzer, written by scripts/golden-analyzer.sh.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { followTcpStream, followUdpStream, hexLines, printableText } from '../../src/lib/analyzer/follow.ts';
import { ioGraph } from '../../src/lib/analyzer/io-graph.ts';
import { timeSequence } from '../../src/lib/analyzer/tcptrace.ts';
import { tcpExpertSummary } from '../../src/lib/analyzer/expert.ts';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { capturePath, isExtra, requireExtraCorpus, requireTshark } from '../support/corpus.ts';
import { tsharkFields } from '../lab/tshark.ts';

// A golden of a packets/ capture (scripts/golden-analyzer.sh takes them when
// PORTTRACE_EXTRA_CORPUS is set) runs only with the opt-in extra corpus.
const extra = requireExtraCorpus();

const GOLDEN_DIR = 'tests/golden/analyzer/';
const golden = readdirSync(GOLDEN_DIR);

/** A golden's `#source`: `repo:public/…`, a vendored corpus path, or `packets/…` (extra corpus). */
const load = (source: string) =>
  loadCaptureBytes(new Uint8Array(readFileSync(capturePath(source.replace(/^repo:/, '')))));

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** tshark's raw follow output: "Node 0/1" lines, then one hex line per chunk, the server's indented. */
function parseFollow(text: string) {
  const lines = text.split('\n');
  const node = (n: number) => lines.find((l) => l.startsWith(`Node ${n}: `))!.slice(8);
  const start = lines.findIndex((l) => l.startsWith('Node 1: ')) + 1;
  const chunks = lines
    .slice(start)
    .filter((l) => l !== '' && !l.startsWith('====='))
    .map((l) => `${l.startsWith('\t') ? 'server' : 'client'} ${l.trim()}`);
  return { client: node(0), server: node(1), chunks };
}

describe('Follow Stream agrees with tshark', () => {
  const files = golden.filter((name) => name.startsWith('follow-'));
  it('has goldens', () => expect(files.length).toBeGreaterThanOrEqual(6));
  for (const name of files) {
    const text = readFileSync(GOLDEN_DIR + name, 'utf8');
    const source = text.split('\n')[0].split('\t')[1];
    const skip = isExtra(source) && extra.skip;
    it.skipIf(skip)(`${name}${skip ? extra.note : ''}`, () => {
      const capture = load(source);
      const theirs = parseFollow(text);
      const tcp = /^follow-tcp-(\d+)-/.exec(name);
      const ours = tcp ? followTcpStream(capture, Number(tcp[1])) : followUdpStream(capture, 0);
      expect(ours).toBeDefined();
      expect([ours!.client, ours!.server]).toEqual([theirs.client, theirs.server]);
      // tshark writes one line per segment as it reassembles; we keep one chunk per frame, so
      // compare the bytes each direction sent, in order, joined across consecutive chunks.
      const joined = (chunks: string[]) => {
        const out: string[] = [];
        for (const chunk of chunks) {
          const [side, data] = chunk.split(' ');
          if (out.length && out[out.length - 1].startsWith(side)) out[out.length - 1] += data;
          else out.push(`${side} ${data}`);
        }
        return out;
      };
      expect(joined(ours!.chunks.map((c) => `${c.fromClient ? 'client' : 'server'} ${hex(c.bytes)}`))).toEqual(
        joined(theirs.chunks),
      );
    });
  }
});

describe('I/O graph agrees with tshark', () => {
  const files = golden.filter((name) => name.startsWith('io-'));
  it('has goldens', () => expect(files.length).toBeGreaterThanOrEqual(3));
  for (const name of files) {
    const text = readFileSync(GOLDEN_DIR + name, 'utf8');
    const source = text.split('\n')[0].split('\t')[1];
    const skip = isExtra(source) && extra.skip;
    it.skipIf(skip)(`${name}${skip ? extra.note : ''}`, () => {
      const capture = load(source);
      const filters = [
        'tcp.flags.syn==1&&tcp.flags.ack==0',
        'tcp.flags.syn==1&&tcp.flags.ack==1',
        'tcp.flags.reset==1',
      ];
      const graph = ioGraph(capture, filters, 1);
      expect(graph.interval).toBe(1);
      // "|  3 <>  4 |    641 | 37178 |      1 |    60 | …": frames of each column.
      const rows = text
        .split('\n')
        .map((l) => /^\|\s*(\d+) <>\s*(?:\d+|Dur)\s*\|(.*)\|$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => m[2].split('|').map((cell) => Number(cell.trim())));
      expect(rows.length).toBe(graph.bins);
      filters.forEach((_, line) => {
        expect(graph.lines[line].values, filters[line]).toEqual(rows.map((cells) => cells[line * 2]));
      });
      const bytes = ioGraph(capture, filters, 1, 'bytes');
      filters.forEach((_, line) => expect(bytes.lines[line].values).toEqual(rows.map((cells) => cells[line * 2 + 1])));
    });
  }

  it('reports a bad filter on its line and still draws the others', () => {
    const capture = load('zeek/Traces/nmap-vsn.pcap');
    const graph = ioGraph(capture, ['tcp.flags.syn==', '']);
    expect(graph.lines[0].error).toBeTruthy();
    expect(graph.lines[1].total).toBe(capture.packets.length);
  });
});

describe('time-sequence graph', () => {
  it('marks the retransmissions the TCP analysis finds, and ACKs with the window above them', () => {
    const capture = load('zeek/Traces/tcp/retransmit-fast009.pcap');
    const graph = timeSequence(capture, 0)!;
    const compiled = compileFilter('tcp.stream==0 && tcp.analysis.retransmission');
    if (!compiled.ok) throw new Error(compiled.error.message);
    const expected = [...compiled.filter.run(capture)].map((i) => capture.packets[i].number);
    expect(expected.length).toBeGreaterThan(0);
    expect(graph.segments.filter((s) => s.retransmission).map((s) => s.frame)).toEqual(
      expected.filter((frame) => graph.segments.some((s) => s.frame === frame)),
    );
    for (const ack of graph.acks) expect(ack.windowEdge).toBeGreaterThanOrEqual(ack.ack);
    for (const segment of graph.segments) expect(segment.end).toBeGreaterThanOrEqual(segment.seq);
  });

  const tshark = requireTshark();
  it.skipIf(tshark.skip)(`shows each ACK's SACK blocks, relative as tshark shows them${tshark.note}`, () => {
    // Losses both ways over PPPoE in QinQ: 21 ACKs carrying SACK blocks (D-SACKs among them).
    const file = 'zeek/Traces/pppoe-over-qinq.pcap';
    const capture = load(file);
    const theirs = tsharkFields(
      capturePath(file),
      ['frame.number', 'tcp.options.sack_le', 'tcp.options.sack_re'],
      ['-Y', 'tcp.stream==0 && tcp.flags.ack==1 && tcp.options.sack_le', '-E', 'occurrence=a', '-E', 'aggregator=,'],
    ).map(([frame, left, right]) => {
      const rights = right.split(',');
      return `${frame}: ${left
        .split(',')
        .map((l, i) => `${l}-${rights[i]}`)
        .join(' ')}`;
    });
    expect(theirs.length).toBe(21);
    // Each direction's graph holds the other direction's ACKs.
    const ours = [true, false]
      .flatMap((fromClient) => timeSequence(capture, 0, fromClient)!.acks)
      .filter((a) => a.sack)
      .map((a) => `${a.frame}: ${a.sack!.map(([l, r]) => `${l}-${r}`).join(' ')}`)
      .sort((a, b) => parseInt(a) - parseInt(b));
    expect(ours).toEqual(theirs);
  });
});

describe('expert summary', () => {
  it('counts each tcp.analysis note as its filter does', () => {
    const capture = load('zeek/Traces/http/bro.org.pcap');
    const entries = tcpExpertSummary(capture);
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const compiled = compileFilter(entry.filter);
      if (!compiled.ok) throw new Error(compiled.error.message);
      expect(compiled.filter.run(capture).length, entry.filter).toBe(entry.count);
    }
  });

  it('gives each verdict a filter selecting its attempts', () => {
    const session = new TraceSession('scan', 0, load('zeek/Traces/nmap-vsn.pcap'));
    const verdicts = session.expert().filter((e) => e.severity === 'verdict');
    expect(verdicts.reduce((n, e) => n + e.count, 0)).toBe(session.summary.attemptCount);
    for (const entry of verdicts) {
      const compiled = compileFilter(entry.filter);
      expect(compiled.ok, entry.filter.slice(0, 80)).toBe(true);
    }
  });
});

describe('stream text', () => {
  it('shows only printable characters: markup stays text, control bytes are dots', () => {
    const hostile = new TextEncoder().encode('<script>alert(1)</script>\r\n\u0000\u001b[31m\u0007');
    expect(printableText(hostile)).toBe('<script>alert(1)</script>\n..[31m.');
    expect(hexLines(new TextEncoder().encode('GET / HTTP/1.1'))[0]).toBe(
      '00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 31        GET / HTTP/1.1',
    );
  });
});
