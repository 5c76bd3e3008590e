// Every packet of ~40 corpus captures, decoded by us and by tshark (tests/golden/packets, made by
// scripts/golden-packets.sh), compared field by field — including every occurrence of
// multi-valued fields (stacked VLAN ids, the IP/TCP/UDP headers an ICMP error quotes) — and the
// Info column of TCP packets.
//
// Differences we accept, and why:
//  1. tcp.checksum.status: our 'partial' (the field holds the pseudo-header sum: checksum
//     offload) is tshark 4.0's "bad" (0); Wireshark only learned "partial" in 4.2.
//  2. Info: tshark appends "[TCP CHECKSUM INCORRECT]" after Win= because the goldens turn
//     checksum checking on (Wireshark's default is off, and so is our Info line): stripped.
//  3. tcp.checksum.status of a TCP header quoted in an ICMP error: tshark 4.0 checks it over
//     the few quoted bytes and calls it bad (0); the segment is not all there, so we leave it
//     unverified and print nothing. The cell is not compared on such rows.
//  4. Info: " [TCP segment of a reassembled PDU]" and application text (e.g. "HTTP/1.1 200 OK")
//     come from reassembling HTTP, which we do not do: the suffix is stripped, and TCP rows
//     whose Info tshark replaced with application text are not compared.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { capturePath, isExtra, requireExtraCorpus } from '../support/corpus.ts';
import { ourFields, parseGolden, relativeTime } from './tshark-fields.ts';

const GOLDEN_DIR = 'tests/golden/packets/';
// Goldens of packets/ and netmon/ captures run only with the opt-in extra corpus.
const extra = requireExtraCorpus();

const goldenFiles = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.tsv'));

/** Fields compared as decoded values (Protocol and Info are compared separately). */
const SKIP = new Set(['_ws.col.Info', '_ws.col.Protocol']);

function normalizeInfo(info: string): string | undefined {
  let text = info.replace(' [TCP CHECKSUM INCORRECT]', '').replace(/ ?\[TCP segment of a reassembled PDU\]$/, '');
  text = text.trimEnd();
  // Application text instead of ports: tshark's HTTP dissector wrote this line, not TCP's.
  if (!/^(\[[^\]]+\] )*\d+ → \d+ /.test(text)) return undefined;
  return text;
}

const infoTotals = { compared: 0, equal: 0, rawEqual: 0 };
const otherTotals = { compared: 0, equal: 0 };
const OTHER_INFO = new Set(['UDP', 'ICMP', 'ICMPv6', 'ARP', 'RARP', 'IPv4', 'IPv6']);

describe('decoders agree with tshark field by field', () => {
  it('has at least 20 golden captures', () => {
    expect(goldenFiles.filter((name) => !isExtra(name.replaceAll('__', '/'))).length).toBeGreaterThanOrEqual(20);
  });

  for (const name of goldenFiles) {
    const golden = parseGolden(readFileSync(GOLDEN_DIR + name, 'utf8'));
    const skip = isExtra(golden.source) && extra.skip;
    it.skipIf(skip)(`${golden.source}${skip ? extra.note : ''}`, () => {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(golden.source))));
      expect(capture.error).toBeUndefined();
      expect(capture.packets.length).toBe(golden.rows.length);
      const descriptions = describePackets(capture.packets);
      const mismatches: string[] = [];
      golden.rows.forEach((row, i) => {
        const packet = capture.packets[i];
        const ours = ourFields(packet);
        ours['frame.time_relative'] = relativeTime(packet, capture.packets[0]);
        const quotesTcp = packet.dissection.icmp?.quoted?.tcp !== undefined;
        for (const field of golden.fields) {
          if (SKIP.has(field)) continue;
          if (quotesTcp && field === 'tcp.checksum.status') continue;
          const theirs = row[field];
          const mine = ours[field] ?? '';
          if (mine !== theirs)
            mismatches.push(`frame ${row['frame.number']} ${field}: ours "${mine}", tshark "${theirs}"`);
        }
        if (row['_ws.col.Protocol'] === 'TCP' && descriptions[i].protocol !== 'TCP') {
          mismatches.push(`frame ${row['frame.number']} protocol: ours ${descriptions[i].protocol}, tshark TCP`);
        }
        // Other protocols we describe ourselves: where tshark's Protocol column names the same one
        // (not an application protocol on top), the Info must be the same too.
        if (OTHER_INFO.has(row['_ws.col.Protocol']) && descriptions[i].protocol === row['_ws.col.Protocol']) {
          otherTotals.compared++;
          const expected = row['_ws.col.Info'].replace(' [UDP CHECKSUM INCORRECT]', '');
          if (descriptions[i].info === expected) otherTotals.equal++;
          else
            mismatches.push(`frame ${row['frame.number']} Info: ours "${descriptions[i].info}", tshark "${expected}"`);
        }
        if (row['_ws.col.Protocol'] === 'TCP') {
          const expected = normalizeInfo(row['_ws.col.Info']);
          if (expected === undefined) return;
          infoTotals.compared++;
          if (descriptions[i].info === row['_ws.col.Info']) infoTotals.rawEqual++;
          if (descriptions[i].info === expected) infoTotals.equal++;
          else
            mismatches.push(`frame ${row['frame.number']} Info: ours "${descriptions[i].info}", tshark "${expected}"`);
        }
      });
      expect(mismatches).toEqual([]);
    });
  }

  it('reports the TCP Info match rate', () => {
    // Printed for the record; the per-file tests above already fail on any Info difference.
    console.log(
      `TCP Info: ${infoTotals.equal}/${infoTotals.compared} equal after the accepted normalizations, ` +
        `${infoTotals.rawEqual} byte-for-byte; UDP/ICMP/ARP/IP Info: ${otherTotals.equal}/${otherTotals.compared}`,
    );
    expect(infoTotals.compared).toBeGreaterThan(1000);
  });
});
