// 802.11 (link type 105), radiotap (127), PPPoE behind QinQ and GRE / IP-in-IP tunnels, decoded
// by us and by tshark (tests/golden/link, made by scripts/golden-link.sh from the captures
// scripts/make-link-captures.ts writes out of the project's own recordings in public/traces, and
// from the vendored corpus' real PPPoE-over-QinQ capture), compared field by field: the IP and TCP
// fields of every packet, the 802.11 addresses by To DS / From DS, the PPPoE session and PPP
// protocol, and the Info column of TCP packets.
//
// Differences accepted, as in golden.test.ts: tshark's Info for segments it reassembled into an
// application PDU is not compared (we do not reassemble); and where an IPv4 header claims more
// bytes than the PPPoE session header says it carries, tshark checks the TCP checksum over the
// bytes present and calls it bad, while we leave it unverified, as for any IP length beyond the
// frame (the segment is not all there).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { describePackets } from '../../src/lib/describe/index.ts';
import { formatIPv4, formatIPv6, formatMac } from '../../src/lib/describe/addresses.ts';
import type { Packet } from '../../src/lib/packets.ts';
import { ourFields, parseGolden, relativeTime } from './tshark-fields.ts';
import { capturePath, corpusPath, requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();
const GOLDEN_DIR = capturePath('tests/golden/link/');
const FIXTURES = 'tests/fixtures/link/';
const goldenFiles = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.tsv'));
/** A fixture of tests/fixtures/link, loaded. */
const fixture = (name: string) => loadCaptureBytes(new Uint8Array(readFileSync(capturePath(FIXTURES + name))));
/** The Ethernet recording a fixture was made from (scripts/make-link-captures.ts), loaded. */
const recording = (source: string) =>
  loadCaptureBytes(new Uint8Array(readFileSync(capturePath(`public/traces/${source}.pcapng`))));
/** The recordings' client (public/traces/README.md): its MAC, as the 802.11 source of what it sends. */
const CLIENT_MAC = '02:70:74:00:00:0a';
/** tshark's TCP Info without reassembly notes; undefined when an application dissector wrote it. */
function normalizeInfo(info: string): string | undefined {
  const text = info
    .replace(' [TCP CHECKSUM INCORRECT]', '')
    .replace(/ ?\[TCP segment of a reassembled PDU\]$/, '')
    .replace(/\[Reassembly error, .*\]$/, '')
    .trimEnd();
  return /^(\[[^\]]+\] )*\d+ → \d+ /.test(text) ? text : undefined;
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;

/** tshark's checksum status values: 0 bad, 1 good, 2 unverified. */
const STATUS = { bad: '0', good: '1', unverified: '2', partial: '0' } as const;

/**
 * The IP cells with the outer headers of any tunnel first, as tshark lists every occurrence
 * (ourFields, which golden.test.ts uses too, knows the innermost packet only).
 */
function withTunnels(packet: Packet, cells: Record<string, string>): Record<string, string> {
  const tunnels = packet.dissection.tunnels ?? [];
  if (tunnels.length === 0) return cells;
  const outer: Record<string, string[]> = {};
  const add = (field: string, value: string | number) => (outer[field] ??= []).push(String(value));
  for (const { outer: ip, gre } of tunnels) {
    if (ip.version === 4) {
      add('ip.src', formatIPv4(ip.src));
      add('ip.dst', formatIPv4(ip.dst));
      add('ip.proto', ip.protocol);
      add('ip.ttl', ip.ttl);
      add('ip.id', hex4(ip.id));
      add('ip.len', ip.totalLength);
      add('ip.checksum.status', STATUS[ip.checksumStatus]);
    } else {
      add('ipv6.src', formatIPv6(ip.src));
      add('ipv6.dst', formatIPv6(ip.dst));
    }
    if (gre) add('gre.proto', hex4(gre.protocol));
  }
  const merged = { ...cells };
  for (const [field, values] of Object.entries(outer))
    merged[field] = [...values, ...(cells[field] ? [cells[field]] : [])].join(',');
  return merged;
}

/** The 802.11 and PPPoE cells, spelled as tshark prints them. */
function linkFields(packet: Packet): Record<string, string> {
  const d = packet.dissection;
  const out: Record<string, string> = {};
  if (d.wlan) {
    out['wlan.fc.type_subtype'] = hex4(d.wlan.typeSubtype);
    if (d.wlan.source) out['wlan.sa'] = formatMac(d.wlan.source);
    if (d.wlan.destination) out['wlan.da'] = formatMac(d.wlan.destination);
    if (d.wlan.bssid) out['wlan.bssid'] = formatMac(d.wlan.bssid);
    out['wlan.fc.protected'] = d.wlan.protected ? '1' : '0';
  }
  if (d.pppoe) {
    out['pppoe.session_id'] = hex4(d.pppoe.sessionId);
    out['ppp.protocol'] = hex4(d.pppoe.pppProtocol);
  }
  return out;
}

describe('link layers agree with tshark field by field', () => {
  it('has the 802.11, radiotap, PPPoE and tunnel goldens: one per fixture, and the real PPPoE capture', () => {
    const fixtures = readdirSync(capturePath(FIXTURES)).filter((name) => name.endsWith('.pcap'));
    expect(fixtures.length).toBe(15);
    expect(goldenFiles).toEqual([...fixtures, 'pppoe-over-qinq.pcap'].map((name) => `${name}.tsv`).sort());
  });

  for (const name of goldenFiles) {
    const golden = parseGolden(readFileSync(GOLDEN_DIR + name, 'utf8'));
    it(golden.source, () => {
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(golden.source))));
      expect(capture.error).toBeUndefined();
      expect(capture.packets.length).toBe(golden.rows.length);
      const descriptions = describePackets(capture.packets);
      const mismatches: string[] = [];
      let tcpRows = 0;
      golden.rows.forEach((row, i) => {
        const packet = capture.packets[i];
        const ours = withTunnels(packet, { ...ourFields(packet), ...linkFields(packet) });
        ours['frame.time_relative'] = relativeTime(packet, capture.packets[0]);
        const ip = packet.dissection.ip;
        const pppoe = packet.dissection.pppoe;
        const ipLongerThanPppoe = pppoe && ip?.version === 4 && ip.offset + ip.totalLength > pppoe.payloadEnd;
        for (const field of golden.fields) {
          if (field === '_ws.col.Info' || field === '_ws.col.Protocol') continue;
          if (ipLongerThanPppoe && field === 'tcp.checksum.status') continue;
          const theirs = row[field];
          const mine = ours[field] ?? '';
          if (mine !== theirs)
            mismatches.push(`frame ${row['frame.number']} ${field}: ours "${mine}", tshark "${theirs}"`);
        }
        if (row['_ws.col.Protocol'] === 'TCP') {
          tcpRows++;
          const theirs = normalizeInfo(row['_ws.col.Info']);
          if (theirs === undefined) return;
          if (descriptions[i].protocol !== 'TCP' || descriptions[i].info !== theirs)
            mismatches.push(`frame ${row['frame.number']} Info: ours "${descriptions[i].info}", tshark "${theirs}"`);
        }
      });
      expect(mismatches).toEqual([]);
      expect(tcpRows).toBeGreaterThan(0);
    });
  }

  it('names what it does not decode: protected and null-function 802.11 frames', () => {
    const [protectedRow, nullRow] = describePackets(fixture('open-ipv6-client.wifi.pcap')).slice(-2);
    expect(protectedRow.protocol).toBe('802.11');
    expect(protectedRow.info).toBe('QoS Data, protected: the payload is encrypted');
    expect(nullRow.info).toBe('Null function (No data)');
  });
});

describe('link-layer filter fields select what tshark selects', () => {
  // Each filter's frame numbers, from tshark on the same file (the goldens' columns).
  const cases: Array<[string, string, (row: Record<string, string>) => boolean]> = [
    ['open-client.wifi.pcap', 'wlan.fc.type_subtype == 0x28', (r) => r['wlan.fc.type_subtype'] === '0x0028'],
    ['open-client.wifi.pcap', 'wlan.fc.protected', (r) => r['wlan.fc.protected'] !== ''],
    ['open-client.wifi.pcap', 'wlan.fc.protected == 1', (r) => r['wlan.fc.protected'] === '1'],
    [
      'open-client.radiotap.pcap',
      'wlan.bssid == 02:11:22:33:44:55 && tcp',
      (r) => r['wlan.bssid'] !== '' && r['tcp.srcport'] !== '',
    ],
    ['open-client.radiotap.pcap', `wlan.sa == ${CLIENT_MAC}`, (r) => r['wlan.sa'] === CLIENT_MAC],
    [
      'pppoe-over-qinq.pcap',
      'pppoe.session_id == 0x0f07 && tcp.flags.syn == 1',
      (r) => r['pppoe.session_id'] === '0x0f07' && ['0x0002', '0x0012'].includes(r['tcp.flags']),
    ],
    ['pppoe-over-qinq.pcap', 'ppp.protocol == 0x0021', (r) => r['ppp.protocol'] === '0x0021'],
    [
      'open-ipv6-client.gre.pcap',
      'gre.proto == 0x86dd && tcp.flags.syn == 1',
      (r) => r['gre.proto'] === '0x86dd' && ['0x0002', '0x0012'].includes(r['tcp.flags']),
    ],
    // The Kerberos connection (port 88) inside the same tunnel is left out.
    [
      'open-client.gre.pcap',
      'gre && tcp.port == 3389',
      (r) => r['gre.proto'] !== '' && (r['tcp.srcport'] === '3389' || r['tcp.dstport'] === '3389'),
    ],
  ];
  it.each(cases)('%s: %s', (file, filter, expected) => {
    const golden = parseGolden(readFileSync(`${GOLDEN_DIR}${file}.tsv`, 'utf8'));
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(golden.source))));
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new Error(compiled.error.message);
    const ours = [...compiled.filter.run(capture)].map((i) => i + 1);
    const theirs = golden.rows.filter(expected).map((r) => Number(r['frame.number']));
    expect(theirs.length).toBeGreaterThan(0);
    expect(ours).toEqual(theirs);
  });
});

describe('tunnels', () => {
  it('a connection attempt inside GRE or IP-in-IP is keyed by the inner 4-tuple', async () => {
    const { analyzeCapture } = await import('../../src/lib/analysis/index.ts');
    const key = (a: { client: string; clientPort: number; server: string; serverPort: number; isn: number }) =>
      `${a.client}:${a.clientPort} ${a.server}:${a.serverPort} ${a.isn}`;
    const verdicts = new Set<unknown>();
    for (const source of ['blocked-drop-client', 'open-client', 'open-ipv6-client']) {
      const attempts = analyzeCapture(recording(source)).attempts;
      const direct = attempts.map((v) => `${key(v.attempt)} ${v.verdict}`);
      for (const kind of ['gre', 'ipip']) {
        const tunnelled = analyzeCapture(fixture(`${source}.${kind}.pcap`)).attempts.map(
          (v) => `${key(v.attempt)} ${v.verdict}`,
        );
        expect(tunnelled.length, `${source}.${kind}`).toBeGreaterThan(0);
        expect(tunnelled, `${source}.${kind}`).toEqual(direct);
        expect(tunnelled.join(' ')).not.toContain('192.0.2.1');
      }
      for (const v of attempts) verdicts.add(v.verdict);
    }
    // A dropped SYN and completed handshakes, over IPv4 and IPv6, all seen through the tunnels.
    expect(verdicts.size).toBeGreaterThan(1);
  });
});

describe('packets the decoders cannot follow to TCP are a capture-level finding', () => {
  const findingsOf = async (path: string) => {
    const { analyzeCapture } = await import('../../src/lib/analysis/index.ts');
    const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path))));
    return analyzeCapture(capture);
  };

  it('encrypted 802.11 frames', async () => {
    const analysis = await findingsOf(`${FIXTURES}open-client.radiotap.pcap`);
    expect(analysis.attempts.length).toBeGreaterThan(0);
    expect(analysis.findings).toContain(
      '1 802.11 frame is protected (encrypted): what they carry, TCP included, cannot be read. Capture on the host itself (netsh trace or pktmon record decrypted frames) or decrypt the capture first',
    );
  });

  it('PPPoE discovery, and a link type that is not decoded, when no attempt was found', async () => {
    const pppoe = await findingsOf('tcpdump/tests/pppoe.pcap');
    expect(pppoe.attempts).toEqual([]);
    expect(pppoe.findings).toEqual([
      'No TCP connection attempt was found in what could be decoded:',
      '1 frame is PPPoE discovery (PADI/PADO/PADR/PADS/PADT): session setup, not traffic',
    ]);
    const arcnet = await findingsOf('libpcap/tests/filter/arcnet-rfc1201-arp-icmp-http.pcap');
    expect(arcnet.findings).toEqual([
      'No TCP connection attempt was found in what could be decoded:',
      '15 frames have link type 129 (ARCNET (Linux)), which is not decoded: any TCP inside is not analyzed',
    ]);
  });

  it('nothing is said about a capture decoded to the end', async () => {
    const analysis = await findingsOf(`${FIXTURES}open-client.pppoe-qinq.pcap`);
    expect(analysis.attempts.length).toBe(2);
    expect(analysis.findings).toEqual([]);
  });
});

describe.skipIf(tshark.skip)(`protocols named, not decoded${tshark.note}`, () => {
  it.each([
    ['zeek/Traces/communityid/sctp.pcap', 'SCTP'],
    ['tcpdump/tests/IGMP_V2.pcap', 'IGMP'],
  ])('%s: the Protocol column says %s where tshark does', (file, name) => {
    const path = corpusPath(file);
    const theirs = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', '_ws.col.Protocol'], {
      encoding: 'utf8',
    })
      .stdout.trim()
      .split('\n');
    const ours = describePackets(loadCaptureBytes(new Uint8Array(readFileSync(path)))).map((p) => p.protocol);
    expect(ours.length).toBe(theirs.length);
    const named = theirs.map((p, i) => [p, ours[i]]).filter(([p]) => p.startsWith(name));
    expect(named.length).toBeGreaterThan(0);
    // tshark says IGMPv2/IGMPv3 where we say IGMP; SCTP is SCTP.
    for (const [, mine] of named) expect(mine).toBe(name);
  });
});

describe('the anonymizer on the new link layers and tunnels', () => {
  const contains = (haystack: Uint8Array, needle: number[]) =>
    haystack.some((_, i) => needle.every((b, k) => haystack[i + k] === b));

  it.each(['zero', 'cut'] as const)(
    'leaves no 802.11 address and no address from inside a tunnel (%s)',
    async (payload) => {
      const { anonymizeCapture } = await import('../../src/lib/lab/anonymize.ts');
      const secrets: Array<[string, number[][]]> = [
        [
          'open-client.wifi.pcap',
          [[0x02, 0x11, 0x22, 0x33, 0x44, 0x55], CLIENT_MAC.split(':').map((b) => parseInt(b, 16))],
        ],
        ['open-client.radiotap.pcap', [[0x02, 0x11, 0x22, 0x33, 0x44, 0x55]]],
        // The tunnel endpoints are in documentation ranges, which the address map keeps as they
        // are; the private addresses inside the tunnel must not survive.
        [
          'open-client.gre.pcap',
          [
            [10, 0, 0, 10],
            [10, 0, 1, 20],
          ],
        ],
        [
          'open-client.ipip.pcap',
          [
            [10, 0, 0, 10],
            [10, 0, 1, 20],
          ],
        ],
        // 6in4: fd00::10 and fd00:0:0:1::20.
        [
          'open-ipv6-client.ipip.pcap',
          [
            [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10],
            [0xfd, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x20],
          ],
        ],
      ];
      for (const [file, needles] of secrets) {
        const original = fixture(file);
        for (const needle of needles)
          expect(
            original.packets.some((p) => contains(p.data, needle)),
            file,
          ).toBe(true);
        const anonymized = anonymizeCapture(original, { payload });
        expect(anonymized.packets.length).toBe(original.packets.length);
        for (const packet of anonymized.packets)
          for (const needle of needles)
            expect(contains(packet.data, needle), `${file} frame ${packet.number}`).toBe(false);
      }
    },
  );
});
