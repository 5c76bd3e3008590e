// The lab's packet list and details name application protocols as the CLI does: rows asked for
// in any order give the columns a frame-order pass gives (reassembled messages included), and
// the details carry the protocol's node with its filter fields.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { TraceSession } from '../../src/lib/session/session.ts';
import { corpusBytes as corpusFile } from '../support/corpus.ts';

const scenario3 = () => loadCaptureBytes(new Uint8Array(readFileSync('public/traces/article-success-client.pcapng')));

describe('application protocols in the session', () => {
  it('names DNS, Kerberos and RDP in scenario 3, as tshark does', () => {
    const session = new TraceSession('scenario 3', 0, scenario3());
    const rows = session.rows([0, 1, 5, 6, 14, 15]);
    expect(rows.map((r) => `${r.protocol} ${r.info}`)).toEqual([
      'DNS Standard query 0x9d21 A rdp01.lab.example',
      'DNS Standard query response 0x9d21 A rdp01.lab.example A 10.0.0.2',
      'KRB5 AS-REQ',
      'KRB5 KRB Error: KRB5KDC_ERR_PREAUTH_REQUIRED',
      'RDP Cookie: mstshash=alice, Negotiate Request',
      'RDP Negotiate Response',
    ]);
  });

  it('shows the Kerberos error in the details with its filter field', () => {
    const session = new TraceSession('scenario 3', 0, scenario3());
    const tree = session.details(6).tree;
    const kerberos = tree.at(-1)!;
    expect(kerberos.field).toBe('kerberos');
    expect(kerberos.children?.find((c) => c.field === 'kerberos.error_code')?.value).toBe('25');
  });

  it('gives rows asked for backwards the columns of a frame-order pass (TLS records over several segments)', () => {
    const capture = loadCaptureBytes(corpusFile('zeek/Traces/tls/ecdhe.pcap'));
    const expected = describePackets(capture).map((d) => `${d.protocol} ${d.info}`);
    const session = new TraceSession('ecdhe', 0, capture);
    const indices = [...capture.packets.keys()].reverse();
    const rows = session.rows(indices).reverse();
    expect(rows.map((r) => `${r.protocol} ${r.info}`)).toEqual(expected);
    // Frame 9 completes the Certificate record that frame 6 began.
    expect(expected[8]).toBe('TLSv1.2 Certificate');
  });
});
