// Conversations and Endpoints (src/lib/analyzer/conversations.ts) against tshark 4.0's
// `-z conv,…` and `-z endpoints,…` tables (tests/golden/conversations, written by
// scripts/golden-conversations.sh): the same conversations with the same frames and bytes each
// way, start and duration; the same endpoints with the same counts.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import {
  conversations,
  directionFilter,
  endpoints,
  type ConversationKind,
} from '../../src/lib/analyzer/conversations.ts';
import { followUdpStream } from '../../src/lib/analyzer/follow.ts';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { capturePath, isExtra, requireExtraCorpus } from '../support/corpus.ts';

// A golden of a packets/ capture (scripts/golden-conversations.sh takes them when
// PORTTRACE_EXTRA_CORPUS is set) runs only with the opt-in extra corpus.
const extra = requireExtraCorpus();

const GOLDEN_DIR = 'tests/golden/conversations/';
const goldenFiles = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.txt'));

/** A golden's `#source`: `repo:public/…`, a vendored corpus path, or `packets/…` (extra corpus). */
const load = (source: string) =>
  loadCaptureBytes(new Uint8Array(readFileSync(capturePath(source.replace(/^repo:/, '')))));

const TITLES: Record<ConversationKind, string> = { ipv4: 'IPv4', ipv6: 'IPv6', tcp: 'TCP', udp: 'UDP' };
const KINDS = Object.keys(TITLES) as ConversationKind[];

/** The lines of one table: from its title to the next "=====" line. */
function table(text: string, title: string): string[] {
  const lines = text.split('\n');
  const at = lines.indexOf(title);
  if (at < 0) return [];
  const end = lines.findIndex((line, i) => i > at && line.startsWith('====='));
  return lines.slice(at + 1, end);
}

/** Splits "10.0.0.1:57490" (or an IPv6 address with a port) at its last colon. */
const endpointKey = (text: string, withPort: boolean): string =>
  withPort ? `${text.slice(0, text.lastIndexOf(':'))}#${text.slice(text.lastIndexOf(':') + 1)}` : text;

const CONVERSATION = /^(\S+)\s+<->\s+(\S+)\s+(\d+) (\d+ \w+)\s+(\d+) (\d+ \w+)\s+\d+ \d+ \w+\s+([\d.]+)\s+([\d.]+)/;

/** Bytes as tshark 4.0's conversation table prints them: exact below 10 000, then in kB, MB (SI, truncated). */
function tsharkSize(bytes: number): string {
  if (bytes < 10000) return `${bytes} bytes`;
  if (bytes < 10000000) return `${Math.floor(bytes / 1000)} kB`;
  return `${Math.floor(bytes / 1000000)} MB`;
}

describe('conversations and endpoints agree with tshark', () => {
  it('has golden tables', () => expect(goldenFiles.length).toBeGreaterThanOrEqual(5));

  for (const name of goldenFiles) {
    const text = readFileSync(GOLDEN_DIR + name, 'utf8');
    const source = text.split('\n')[0].split('\t')[1];
    const skip = isExtra(source) && extra.skip;
    it.skipIf(skip)(`${source}${skip ? extra.note : ''}`, () => {
      const capture = load(source);
      for (const kind of KINDS) {
        const withPort = kind === 'tcp' || kind === 'udp';
        // tshark: A <-> B, frames and bytes B→A ("<-"), then A→B ("->"), start, duration.
        const theirs = table(text, `${TITLES[kind]} Conversations`)
          .map((line) => CONVERSATION.exec(line))
          .filter((m) => m !== null)
          .map((m) => {
            const [a, b] = [endpointKey(m[1], withPort), endpointKey(m[2], withPort)];
            return `${a} ${b} ${m[5]}/${m[6]} ${m[3]}/${m[4]} ${Number(m[7]).toFixed(6)} ${Number(m[8]).toFixed(4)}`;
          })
          .sort();
        const ours = conversations(capture, kind)
          .map((r) => {
            const a = withPort ? `${r.addressA}#${r.portA}` : r.addressA;
            const b = withPort ? `${r.addressB}#${r.portB}` : r.addressB;
            return `${a} ${b} ${r.packetsAB}/${tsharkSize(r.bytesAB)} ${r.packetsBA}/${tsharkSize(r.bytesBA)} ${r.start.toFixed(6)} ${r.duration.toFixed(4)}`;
          })
          .sort();
        expect(ours, `${kind} conversations`).toEqual(theirs);

        const theirEndpoints = table(text, `${TITLES[kind]} Endpoints`)
          .slice(2)
          .map((line) => line.trim().split(/\s+/))
          .filter((cells) => cells.length >= (withPort ? 8 : 7))
          .map((cells) => cells.join(' '))
          .sort();
        const ourEndpoints = endpoints(capture, kind)
          .map((r) =>
            [
              r.address,
              ...(withPort ? [r.port] : []),
              r.packets,
              r.bytes,
              r.txPackets,
              r.txBytes,
              r.rxPackets,
              r.rxBytes,
            ].join(' '),
          )
          .sort();
        expect(ourEndpoints, `${kind} endpoints`).toEqual(theirEndpoints);
      }
    });
  }

  it('gives each TCP conversation a filter that selects exactly its packets', () => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));
    for (const row of conversations(capture, 'tcp')) {
      const compiled = compileFilter(row.filter);
      expect(compiled.ok).toBe(true);
      if (!compiled.ok) continue;
      expect(compiled.filter.run(capture).length).toBe(row.packetsAB + row.packetsBA);
    }
  });

  it('gives each direction of a conversation a filter that selects exactly its packets (A → B, B → A)', () => {
    // Scenario 3: DNS over UDP, Kerberos and RDP over TCP, all over IPv4.
    const capture = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));
    const count = (filter: string) => {
      const compiled = compileFilter(filter);
      expect(compiled.ok, filter).toBe(true);
      return compiled.ok ? compiled.filter.run(capture).length : -1;
    };
    let checked = 0;
    for (const kind of ['ipv4', 'tcp', 'udp'] as const) {
      for (const row of conversations(capture, kind)) {
        expect(count(directionFilter(kind, row, 'A')), `${kind} ${row.filter} A → B`).toBe(row.packetsAB);
        expect(count(directionFilter(kind, row, 'B')), `${kind} ${row.filter} B → A`).toBe(row.packetsBA);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    const tcp = conversations(capture, 'tcp')[0];
    expect(directionFilter('tcp', tcp, 'B')).toBe(
      `ip.src==${tcp.addressB} && tcp.srcport==${tcp.portB} && ip.dst==${tcp.addressA} && tcp.dstport==${tcp.portA}`,
    );
  });

  it('gives each UDP conversation its first packet, from which Follow UDP Stream shows that conversation', () => {
    const capture = loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));
    const rows = conversations(capture, 'udp');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const followed = followUdpStream(capture, row.firstIndex!)!;
      expect(followed.client).toBe(`${row.addressA}:${row.portA}`);
      expect(followed.server).toBe(`${row.addressB}:${row.portB}`);
      const chunks = followed.chunks.length;
      expect(chunks).toBe(row.packetsAB + row.packetsBA);
    }
  });
});
