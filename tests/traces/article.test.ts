// The reconstructions carry the article's numbers (from the article, not from our output), the
// committed files are exactly what scripts/reconstruct-traces.ts makes, and tshark finds no
// malformed packet (or other error) in any bundled trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildReconstructions } from '../../scripts/reconstruct-traces.ts';
import { ENTRY_DIR, PUBLIC_DIR, tsharkEntries, tsharkFields } from './tshark.ts';
import { requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();

const trace = (id: string) => `${PUBLIC_DIR}/traces/${id}.pcapng`;
const SYN_FIELDS = [
  'frame.time_epoch',
  'frame.len',
  'ip.id',
  'ip.ttl',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'tcp.options.mss_val',
  'tcp.options.wscale.shift',
  'tcp.options.sack_perm',
];
const clientSyns = (id: string) =>
  tsharkFields(trace(id), SYN_FIELDS, ['-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0']);
const first = (row: Record<string, string[]>, field: string) => row[field]![0];

describe('reconstructions', () => {
  it('committed files are what scripts/reconstruct-traces.ts makes (deterministic)', () => {
    const built = buildReconstructions();
    expect(built.map((r) => r.id).sort()).toEqual(
      tsharkEntries()
        .filter((e) => e.reconstruction)
        .map((e) => e.id)
        .sort(),
    );
    for (const reconstruction of built) {
      expect(Buffer.from(reconstruction.pcapng).equals(readFileSync(trace(reconstruction.id))), reconstruction.id).toBe(
        true,
      );
      expect(JSON.parse(readFileSync(`${ENTRY_DIR}/${reconstruction.id}.json`, 'utf8'))).toEqual(reconstruction.entry);
    }
  });

  describe.skipIf(tshark.skip)(`scenario 1, as in the article's screenshots${tshark.note}`, () => {
    const sender = clientSyns('article-blocked-client');
    const receiver = clientSyns('article-blocked-server');

    it('three SYNs from 57475 to 3389 with the same Seq 1912198306, Ack 0, Win 64240, MSS 1460, scale 8, SACK permitted', () => {
      expect(sender).toHaveLength(3);
      for (const syn of sender) {
        expect(first(syn, 'tcp.srcport')).toBe('57475');
        expect(first(syn, 'tcp.dstport')).toBe('3389');
        expect(first(syn, 'tcp.seq_raw')).toBe('1912198306');
        expect(first(syn, 'tcp.ack_raw')).toBe('0');
        expect(first(syn, 'tcp.window_size_value')).toBe('64240');
        expect(first(syn, 'tcp.options.mss_val')).toBe('1460');
        expect(first(syn, 'tcp.options.wscale.shift')).toBe('8');
        expect(syn['tcp.options.sack_perm']!.length).toBe(1);
        expect(first(syn, 'ip.ttl')).toBe('128'); // Windows
        expect(first(syn, 'frame.len')).toBe('66');
      }
    });

    it('retransmits on legacy Windows timing: 3 s, then 6 s more', () => {
      const times = sender.map((syn) => Number(first(syn, 'frame.time_epoch')));
      expect(times[1]! - times[0]!).toBeGreaterThan(2.95);
      expect(times[1]! - times[0]!).toBeLessThan(3.1);
      expect(times[2]! - times[0]!).toBeGreaterThan(8.95);
      expect(times[2]! - times[0]!).toBeLessThan(9.1);
    });

    it('each retransmission is a new IP packet (the IP ID moves on)', () => {
      const ids = sender.map((syn) => Number(first(syn, 'ip.id')));
      expect(new Set(ids).size).toBe(3);
      expect(ids[1]! > ids[0]! && ids[2]! > ids[1]!).toBe(true);
    });

    it("the receiver's copy has the same three SYNs, each arriving shortly after it was sent", () => {
      expect(receiver.map((s) => [first(s, 'tcp.seq_raw'), first(s, 'ip.id')])).toEqual(
        sender.map((s) => [first(s, 'tcp.seq_raw'), first(s, 'ip.id')]),
      );
      receiver.forEach((syn, index) => {
        const delay = Number(first(syn, 'frame.time_epoch')) - Number(first(sender[index]!, 'frame.time_epoch'));
        expect(delay).toBeGreaterThan(0);
        expect(delay).toBeLessThan(0.01);
      });
    });
  });

  describe.skipIf(tshark.skip)(`scenario 3: success with Kerberos 88${tshark.note}`, () => {
    const file = trace('article-success-client');

    it('SYN/ACK acknowledges Seq + 1 and offers Win 65535, scale 8, MSS 1460; the client ACKs the server Seq + 1', () => {
      for (const port of [88, 3389]) {
        const [syn] = tsharkFields(
          file,
          ['tcp.seq_raw'],
          ['-Y', `tcp.dstport == ${port} && tcp.flags.syn == 1 && tcp.flags.ack == 0`],
        );
        const [synAck] = tsharkFields(
          file,
          ['tcp.seq_raw', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.options.wscale.shift', 'tcp.options.mss_val'],
          ['-Y', `tcp.srcport == ${port} && tcp.flags.syn == 1 && tcp.flags.ack == 1`],
        );
        expect(Number(first(synAck!, 'tcp.ack_raw'))).toBe(Number(first(syn!, 'tcp.seq_raw')) + 1);
        expect([
          first(synAck!, 'tcp.window_size_value'),
          first(synAck!, 'tcp.options.wscale.shift'),
          first(synAck!, 'tcp.options.mss_val'),
        ]).toEqual(['65535', '8', '1460']);
        const acks = tsharkFields(
          file,
          ['tcp.ack_raw'],
          ['-Y', `tcp.dstport == ${port} && tcp.flags.syn == 0 && tcp.flags.ack == 1`],
        );
        expect(Number(first(acks[0]!, 'tcp.ack_raw'))).toBe(Number(first(synAck!, 'tcp.seq_raw')) + 1);
      }
    });

    it('carries a real Kerberos and RDP exchange that tshark dissects', () => {
      const kerberos = tsharkFields(file, ['kerberos.msg_type', 'kerberos.error_code'], ['-Y', 'kerberos']);
      expect(kerberos.map((row) => first(row, 'kerberos.msg_type'))).toEqual(['10', '30']); // AS-REQ, KRB-ERROR
      expect(first(kerberos[1]!, 'kerberos.error_code')).toBe('25'); // pre-authentication required
      const rdp = tsharkFields(file, ['rdp.neg_type'], ['-Y', 'rdp.neg_type']);
      expect(rdp.map((row) => first(row, 'rdp.neg_type'))).toEqual(['0x01', '0x02']); // request, response
    });

    it('both connections close with a FIN from each side', () => {
      for (const port of [88, 3389]) {
        const fins = tsharkFields(file, ['tcp.srcport'], ['-Y', `tcp.port == ${port} && tcp.flags.fin == 1`]);
        expect(fins.map((row) => first(row, 'tcp.srcport') === String(port)).sort()).toEqual([false, true]);
      }
    });
  });
});

describe.skipIf(tshark.skip)(`no bundled trace has a malformed packet${tshark.note}`, () => {
  it.each(tsharkEntries().map((entry) => [entry.id] as const))('%s', (id) => {
    expect(
      tsharkFields(trace(id), ['frame.number'], ['-Y', '_ws.malformed || _ws.expert.severity >= "error"']),
    ).toEqual([]);
  });
});
