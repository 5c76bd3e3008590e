// The application protocols (src/lib/decode/app) against tshark 4.0, frame for frame:
// tests/golden/app/*.tsv, written by scripts/golden-app.sh, hold tshark's Protocol and Info
// columns and the application fields we register, for the scenario-3 trace and corpus captures
// carrying DNS, HTTP, TLS, Kerberos, RDP, SMB2, SSH, NTP and DHCP.
//
// Columns: every row where either side names an application protocol must agree, except the
// differences docs/FILTERS.md lists ("Application protocols and tshark"), each recognised below
// by a rule with its name; the test fails on any other difference.
// Fields: on every row where our packet carries the protocol, each field's values must be
// tshark's (numbers compared as numbers, tshark printing some in hex). A message tshark
// reassembled from several segments has its fields there and not here (difference 11): those
// rows are counted, not compared.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { fieldContext } from '../../src/lib/filter/index.ts';
import { fieldRegistry } from '../../src/lib/fields/registry.ts';
import { FieldValues, isBytesKind, readerOf } from '../../src/lib/fields/types.ts';
import { applicationLayerOf } from '../../src/lib/fields/app-fields.ts';
import { formatIPv4 } from '../../src/lib/describe/addresses.ts';
import { capturePath, isExtra, requireExtraCorpus } from '../support/corpus.ts';
import { parseGolden } from './tshark-fields.ts';

// Goldens of packets/ captures (HTTP over IPv4 and IPv6 in one trace: no vendored capture has
// that) run only with the opt-in extra corpus.
const extra = requireExtraCorpus();

const GOLDEN_DIR = 'tests/golden/app/';
const goldenFiles = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.tsv'));

/** Protocol column values of layers below the application, as both tools write them. */
const BELOW_APPLICATION = new Set(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'ARP', 'IPv4', 'IPv6']);

/** The documented differences, each a rule over (ours, tshark's) columns. */
const ACCEPTED: Array<[string, (ours: Columns, theirs: Columns) => boolean]> = [
  ['SMB2 details', (o, t) => o.protocol === 'SMB2' && ['SMB2', 'DCERPC', 'SRVSVC'].includes(t.protocol)],
  ['SMB1', (o, t) => o.protocol === 'TCP' && t.protocol === 'SMB'],
  [
    'RDP after the connection sequence',
    (o, t) => o.protocol === 'TPKT' && o.info === 'Continuation' && t.protocol === 'RDP',
  ],
  ['continued after a lost segment', (o, t) => o.protocol === 'TCP' && t.info.includes('Continuation Data')],
  ['cut by the snap length', (o, t) => o.protocol === 'TCP' && t.info.includes('[Packet size limited during capture]')],
];

/** Field differences docs/FILTERS.md lists, by (field, our layer's protocol, tshark's Protocol column, tshark's cell). */
const ACCEPTED_FIELDS: Array<[string, (field: string, ours: string, theirProtocol: string, cell: string) => boolean]> =
  [
    // tshark dissects the Kerberos tickets inside SMB2's security blobs (GSS-API); we do not.
    ['Kerberos inside SMB2', (field, ours) => field.startsWith('kerberos.') && ours !== 'kerberos'],
    // TLS 1.3 hides the real content type: tshark names the outer one tls.record.opaque_type.
    [
      'TLS 1.3 opaque type',
      (field, _, protocol, cell) => field === 'tls.record.content_type' && protocol === 'TLSv1.3' && cell === '',
    ],
  ];

interface Columns {
  protocol: string;
  info: string;
}

/** A golden's `#source`: `repo:public/…`, a vendored corpus path, or `packets/…` (extra corpus). */
const loadSource = (source: string) =>
  loadCaptureBytes(new Uint8Array(readFileSync(capturePath(source.replace(/^repo:/, '')))));

/** Our values of a field on packet `index`, spelled to compare with tshark's cell. */
function ourValues(context: ReturnType<typeof fieldContext>, name: string, index: number): string[] {
  const field = fieldRegistry.get(name)!;
  const out = new FieldValues();
  readerOf(field, context)(context, index, out);
  const values: string[] = [];
  for (let i = 0; i < out.count; i++) {
    if (isBytesKind(field.kind)) values.push(new TextDecoder().decode(out.bytes[i]));
    else if (field.kind === 'ipv4') {
      const n = out.numbers[i];
      values.push(formatIPv4(new Uint8Array([n / 0x1000000, (n >> 16) & 255, (n >> 8) & 255, n & 255])));
    } else values.push(String(out.numbers[i]));
  }
  return values;
}

/** tshark's cell as our spelling: hex numbers as decimal, booleans as 0/1. */
function theirValues(cell: string, numeric: boolean): string[] {
  if (cell === '') return [];
  return cell
    .split(',')
    .map((value) => (numeric && /^0x[0-9a-f]+$/i.test(value) ? String(parseInt(value, 16)) : value));
}

const totals = { rows: 0, equal: 0, accepted: new Map<string, number>(), fieldRows: 0, reassembled: 0 };

describe('application protocols agree with tshark', () => {
  it('has golden files for every protocol', () => {
    expect(goldenFiles.length).toBeGreaterThanOrEqual(30);
  });

  for (const name of goldenFiles) {
    const golden = parseGolden(readFileSync(GOLDEN_DIR + name, 'utf8'));
    const skip = isExtra(golden.source) && extra.skip;
    it.skipIf(skip)(`${golden.source}${skip ? extra.note : ''}`, () => {
      const capture = loadSource(golden.source);
      expect(capture.packets.length).toBe(golden.rows.length);
      const descriptions = describePackets(capture);
      const context = fieldContext(capture);
      const fields = golden.fields.filter((f) => fieldRegistry.has(f));
      const mismatches: string[] = [];
      golden.rows.forEach((row, i) => {
        const ours: Columns = descriptions[i];
        const theirs: Columns = { protocol: row['_ws.col.Protocol'], info: row['_ws.col.Info'] };
        const frame = row['frame.number'];
        if (!(BELOW_APPLICATION.has(theirs.protocol) && BELOW_APPLICATION.has(ours.protocol))) {
          totals.rows++;
          if (ours.protocol === theirs.protocol && ours.info === theirs.info) totals.equal++;
          else {
            const rule = ACCEPTED.find(([, test]) => test(ours, theirs))?.[0];
            if (rule !== undefined) totals.accepted.set(rule, (totals.accepted.get(rule) ?? 0) + 1);
            else
              mismatches.push(
                `frame ${frame}: ours ${ours.protocol} "${ours.info}", tshark ${theirs.protocol} "${theirs.info}"`,
              );
          }
        }
        const app = applicationLayerOf(context, i);
        if (app === undefined) {
          if (!BELOW_APPLICATION.has(ours.protocol)) totals.reassembled++;
          return;
        }
        totals.fieldRows++;
        for (const field of fields) {
          const numeric = !isBytesKind(fieldRegistry.get(field)!.kind);
          const mine = ourValues(context, field, i);
          const expected = theirValues(row[field], numeric);
          if (mine.join(',') === expected.join(',')) continue;
          const rule = ACCEPTED_FIELDS.find(([, test]) => test(field, app.protocol, theirs.protocol, row[field]))?.[0];
          if (rule !== undefined) totals.accepted.set(rule, (totals.accepted.get(rule) ?? 0) + 1);
          else mismatches.push(`frame ${frame} ${field}: ours "${mine.join(',')}", tshark "${expected.join(',')}"`);
        }
      });
      expect(mismatches).toEqual([]);
    });
  }

  it('reports the agreement', () => {
    const accepted = [...totals.accepted].map(([rule, n]) => `${rule}: ${n}`).join(', ');
    console.log(
      `application columns: ${totals.equal}/${totals.rows} rows equal; accepted differences: ${accepted}; ` +
        `fields compared on ${totals.fieldRows} rows, ${totals.reassembled} reassembled rows without fields`,
    );
    expect(totals.equal).toBeGreaterThan(800);
  });
});
