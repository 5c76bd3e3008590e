// Anonymization, judged by tshark on the exported result against tshark on the original:
// every address is remapped consistently (same in → same out, distinct stay distinct), the
// kind of address is kept (private stays private, multicast stays multicast), nothing that is
// not a special address survives, payloads are gone, and what the lessons rely on (ports,
// flags, raw sequence numbers, times, ICMP types, checksum verdicts) is unchanged.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { anonymizeCapture } from '../../src/lib/lab/anonymize.ts';
import { AddressMap, addressMapKey, sipHash24 } from '../../src/lib/lab/address-map.ts';
import { exportPcapng } from '../../src/lib/lab/export.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import type { Capture } from '../../src/lib/packets.ts';
import { scratch, tsharkFields } from './tshark.ts';

import { capturePath as corpusPath, requireTshark } from '../support/corpus.ts';

const tshark = requireTshark();
const load = (path: string): Capture => loadCaptureBytes(new Uint8Array(readFileSync(corpusPath(path))));

const work = scratch();
afterAll(() => work.remove());

const IPV4_FIELDS = ['ip.src', 'ip.dst', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4'];
const IPV6_FIELDS = [
  'ipv6.src',
  'ipv6.dst',
  'icmpv6.nd.ns.target_address',
  'icmpv6.nd.na.target_address',
  'icmpv6.nd.rd.target_address',
  'icmpv6.rd.na.destination_address',
  'icmpv6.opt.prefix',
  'icmpv6.opt.rdnss',
  'icmpv6.mld.multicast_address',
  'ipv6.routing.src.addr',
  'ipv6.routing.mipv6.home_address',
  'ipv6.routing.srh.addr',
  'ipv6.opt.mipv6.home_address',
];
const MAC_FIELDS = ['eth.src', 'eth.dst', 'sll.src.eth', 'arp.src.hw_mac', 'arp.dst.hw_mac', 'icmpv6.opt.linkaddr'];
const KEPT_FIELDS = [
  'frame.time_epoch',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.window_size_value',
  'udp.srcport',
  'udp.dstport',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'ip.ttl',
  'ipv6.hlim',
];
const CHECKSUM_FIELDS = [
  'ip.checksum.status',
  'tcp.checksum.status',
  'udp.checksum.status',
  'icmp.checksum.status',
  'icmpv6.checksum.status',
];
const CHECKSUM_PREFS = [
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
];

// Addresses that must come out as they went in (RFC 5735/6890, RFC 4291, IEEE 802): the only
// ones allowed to appear unchanged after anonymization.
function isKeptIPv4(text: string): boolean {
  const [a] = text.split('.').map(Number);
  return a === 0 || a === 127 || a >= 224 || /^(192\.0\.2|198\.51\.100|203\.0\.113)\./.test(text);
}
const isKeptIPv6 = (text: string): boolean =>
  text === '::' ||
  text === '::1' ||
  (text.startsWith('ff') && !text.startsWith('ff02::1:ff')) ||
  text.startsWith('2001:db8:');
const isKeptMac = (text: string): boolean => (parseInt(text.slice(0, 2), 16) & 1) === 1 || text === '00:00:00:00:00:00';

/** The prefix an address must keep: private IPv4 blocks, link-local and ULA IPv6, MAC flag bits. */
function classOf(kind: 'ipv4' | 'ipv6' | 'mac', text: string): string {
  if (kind === 'ipv4') {
    const [a, b] = text.split('.').map(Number);
    if (a === 10) return '10/8';
    if (a === 172 && b >= 16 && b < 32) return '172.16/12';
    if (a === 192 && b === 168) return '192.168/16';
    if (a === 169 && b === 254) return '169.254/16';
    if (a === 100 && b >= 64 && b < 128) return '100.64/10';
    return isKeptIPv4(text) ? text : 'public';
  }
  if (kind === 'ipv6') {
    const first = parseInt(text.split(':')[0] || '0', 16);
    if ((first & 0xffc0) === 0xfe80) return 'fe80::/10';
    if ((first & 0xfe00) === 0xfc00) return 'fc00::/7';
    if (text.startsWith('ff02::1:ff')) return 'solicited-node';
    return isKeptIPv6(text) ? text : 'global';
  }
  return isKeptMac(text) ? text : `unicast, local bit ${(parseInt(text.slice(0, 2), 16) >> 1) & 1}`;
}

const split = (cell: string): string[] => (cell === '' ? [] : cell.split(','));

interface Pairing {
  forward: Map<string, string>;
  backward: Map<string, string>;
  pairs: number;
}

/** Pairs each original address with the one at the same place in the anonymized frame. */
function pairAddresses(
  kind: 'ipv4' | 'ipv6' | 'mac',
  original: string[][],
  anonymized: string[][],
  pairing: Pairing,
): void {
  expect(anonymized.length).toBe(original.length);
  original.forEach((row, frame) => {
    row.forEach((cell, column) => {
      const before = split(cell);
      const after = split(anonymized[frame][column]);
      if (before.length !== after.length) return; // a field inside a dropped payload
      before.forEach((x, i) => {
        const y = after[i];
        pairing.pairs++;
        // Same in, same out; distinct in, distinct out.
        expect(pairing.forward.get(x) ?? y, `${kind} ${x} mapped two ways`).toBe(y);
        expect(pairing.backward.get(y) ?? x, `${kind} ${x} and ${pairing.backward.get(y)} both became ${y}`).toBe(x);
        pairing.forward.set(x, y);
        pairing.backward.set(y, x);
        expect(classOf(kind, y), `${kind} ${x} → ${y}`).toBe(classOf(kind, x));
      });
    });
  });
}

function allValues(rows: string[][]): Set<string> {
  const values = new Set<string>();
  for (const row of rows) for (const cell of row) for (const value of split(cell)) values.add(value);
  return values;
}

const SOURCES = [
  'public/traces/article-success-client.pcapng', // DNS, Kerberos and RDP payloads, checksum offload ('partial') on the sender
  'public/traces/article-blocked-client.pcapng', // DNS, offload
  'public/traces/open-ipv6-client.pcapng', // IPv6, RDP payloads
  'zeek/Traces/ncp.pcap', // 500 frames, offload on one host
  'zeek/Traces/linuxsll-arp.pcap', // Linux cooked capture, ARP
  'zeek/Traces/http-vlan-0.pcap', // 802.1Q
  'zeek/Traces/icmp/icmp-destunreach-udp.pcap', // ICMP error quoting UDP/DNS
  'zeek/Traces/icmp/icmp-timeexceeded.pcap',
  'zeek/Traces/icmp/5-pings.pcap', // echo payloads
  'zeek/Traces/icmp/icmp6-nd-options.pcap', // Neighbor Discovery with options
  'zeek/Traces/icmp/icmp6-router-advert.pcap', // prefix information
  'zeek/Traces/icmp/icmp6-redirect.pcap',
  'zeek/Traces/icmp/icmp6-toobig.pcap',
  'zeek/Traces/icmp/icmp6-mldv1.pcap',
  'zeek/Traces/icmp_nd_dnssl.pcap', // DNS search list option: free text
  'zeek/Traces/ipv6-hbh-routing0.pcap', // routing header type 0: a list of addresses
  'zeek/Traces/ipv6-mobility-dst-opts.pcap', // home-address destination option
  'zeek/Traces/mobile-ipv6/ipv6-mobile-routing.pcap', // routing header type 2
  'zeek/Traces/mobile-ipv6/ipv6-mobile-hoa.pcap', // home address option
  'tcpdump/tests/ipv6-routing-header.pcap',
  'tcpdump/tests/ipv6-srh-insert-cksum.pcap', // segment routing header (type 4)
  'public/traces/reject-icmp-prohibited-client.pcapng', // ICMP unreachable quoting a SYN
  'public/traces/reject-icmp6-prohibited-client.pcapng',
];

const CUT_SAMPLE = new Set([
  'public/traces/article-success-client.pcapng',
  'public/traces/open-ipv6-client.pcapng',
  'zeek/Traces/ncp.pcap',
  'zeek/Traces/linuxsll-arp.pcap',
  'zeek/Traces/icmp/icmp-destunreach-udp.pcap',
  'zeek/Traces/icmp/5-pings.pcap',
  'zeek/Traces/icmp/icmp6-nd-options.pcap',
  'zeek/Traces/ipv6-hbh-routing0.pcap',
  'public/traces/reject-icmp-prohibited-client.pcapng',
]);

const originalFields = new Map<string, string[][]>();

/** Printable text runs (8+ characters) in the original's TCP/UDP/ICMP payloads: what must not survive. */
function payloadTexts(capture: Capture): string[] {
  const texts = new Set<string>();
  for (const packet of capture.packets) {
    const d = packet.dissection;
    const layer = d.tcp ?? d.udp ?? (d.icmp && !d.icmp.quoted ? d.icmp : undefined);
    if (!layer || !d.ip) continue;
    const payload = Buffer.from(packet.data.subarray(layer.payloadOffset, d.ip.payloadEnd)).toString('latin1');
    for (const match of payload.matchAll(/[\x20-\x7e]{8,}/g)) texts.add(match[0]);
  }
  return [...texts];
}

describe.skipIf(tshark.skip).each(['cut', 'zero'] as const)(
  `anonymizeCapture (payload: %s), checked with tshark${tshark.note}`,
  (payload) => {
    // 'zero' is the default and runs on every source; 'cut' (which also rewrites lengths) on a
    // sample covering each kind of rewrite, to keep the file's run time well under a minute.
    const sources = payload === 'zero' ? SOURCES : SOURCES.filter((source) => CUT_SAMPLE.has(source));
    for (const source of sources) {
      it(source, () => {
        const original = load(source);
        const path = corpusPath(source);
        const anonymized = anonymizeCapture(original, { key: 'lesson key', payload });
        expect(anonymized.packets).toHaveLength(original.packets.length);
        expect(anonymized.anonymization.emptiedFrames).toEqual([]);
        const exported = exportPcapng(anonymized, anonymized.packets.keys());
        const file = work.write(`${source.replaceAll('/', '_')}.${payload}.pcapng`, exported);

        // One tshark run per file, every field at once; columns are picked out below.
        const PAYLOAD_FIELDS = ['tcp.len', 'udp.length', 'data.len', 'frame.protocols'];
        const fields = [
          ...IPV4_FIELDS,
          ...IPV6_FIELDS,
          ...MAC_FIELDS,
          ...KEPT_FIELDS,
          ...CHECKSUM_FIELDS,
          ...PAYLOAD_FIELDS,
          'frame.len',
        ];
        // The original's fields serve both payload modes: read them once.
        const before = originalFields.get(path) ?? tsharkFields(path, fields, CHECKSUM_PREFS);
        originalFields.set(path, before);
        const after = tsharkFields(file, fields, CHECKSUM_PREFS);
        expect(after).toHaveLength(before.length);
        const columns = (rows: string[][], names: string[]): string[][] =>
          rows.map((row) => names.map((name) => row[fields.indexOf(name)]));

        // Addresses: consistent, kind kept, nothing left over but special addresses.
        for (const [kind, names] of [
          ['ipv4', IPV4_FIELDS],
          ['ipv6', IPV6_FIELDS],
          ['mac', MAC_FIELDS],
        ] as const) {
          const pairing: Pairing = { forward: new Map(), backward: new Map(), pairs: 0 };
          pairAddresses(kind, columns(before, names), columns(after, names), pairing);
          const kept = kind === 'ipv4' ? isKeptIPv4 : kind === 'ipv6' ? isKeptIPv6 : isKeptMac;
          const originals = allValues(columns(before, names));
          const leftOver = [...allValues(columns(after, names))].filter(
            (value) => originals.has(value) && !kept(value),
          );
          expect(leftOver, `${kind} addresses that survived anonymization`).toEqual([]);
        }

        // What the lessons read is unchanged, frame by frame.
        expect(columns(after, KEPT_FIELDS)).toEqual(columns(before, KEPT_FIELDS));

        // Checksum verdicts of each packet's own headers as tshark sees them (offloaded ones are
        // "bad" to tshark 4.0 in both): the first occurrence of each field. In an ICMP error the
        // only TCP/UDP header is the quoted one, whose payload is cut, so there only IP and ICMP
        // are compared.
        const ownChecksums = (rows: string[][]): string[][] =>
          rows.map((row) => {
            const isError =
              /^(3|4|5|11|12)$/.test(split(row[fields.indexOf('icmp.type')])[0] ?? '') ||
              /^[1-4]$/.test(split(row[fields.indexOf('icmpv6.type')])[0] ?? '');
            const names = isError
              ? ['ip.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status']
              : CHECKSUM_FIELDS;
            return names.map((name) => split(row[fields.indexOf(name)])[0] ?? '');
          });
        expect(ownChecksums(after)).toEqual(ownChecksums(before));
        // ... and as we see them: 'partial' (offload) is still recognisably partial.
        const statuses = (c: Capture) =>
          c.packets.map((p) => [
            p.dissection.tcp?.checksumStatus,
            p.dissection.udp?.checksumStatus,
            p.dissection.icmp?.checksumStatus,
          ]);
        expect(statuses(anonymized)).toEqual(statuses(original));

        // Payloads are gone: no text of them is left anywhere in the file...
        const fileText = Buffer.from(exported).toString('latin1');
        expect(payloadTexts(original).filter((text) => fileText.includes(text))).toEqual([]);
        if (payload === 'zero') {
          // ... and with 'zero' every frame keeps its size.
          expect(columns(after, ['frame.len', 'tcp.len', 'udp.length'])).toEqual(
            columns(before, ['frame.len', 'tcp.len', 'udp.length']),
          );
          return;
        }
        // ... and with 'cut' no TCP/UDP data, no application protocol left to dissect.
        for (const [tcpLength, udpLength, data, protocols] of columns(after, PAYLOAD_FIELDS)) {
          if (/icmp/.test(protocols)) continue; // quoted headers carry the original lengths
          expect(split(tcpLength).every((n) => n === '0')).toBe(true);
          expect(split(udpLength).every((n) => n === '8')).toBe(true);
          expect(data).toBe('');
          expect(protocols).not.toMatch(/http|dns|ncp|data|kerberos|rdp/);
        }
      });
    }

    it('keeps payload sizes with payload: "zero", and the bytes are zeros', () => {
      const source = 'zeek/Traces/http/m57-long-49583-80.pcap'; // HTTP: payloads to zero
      const anonymized = anonymizeCapture(load(source), { payload: 'zero' });
      const file = work.write('zero.pcapng', exportPcapng(anonymized, anonymized.packets.keys()));
      const fields = ['frame.len', 'tcp.len', 'tcp.seq_raw', 'tcp.checksum.status'];
      expect(tsharkFields(file, fields, CHECKSUM_PREFS)).toEqual(
        tsharkFields(corpusPath(source), fields, CHECKSUM_PREFS),
      );
      for (const packet of anonymized.packets) {
        const tcp = packet.dissection.tcp;
        if (tcp)
          expect(packet.data.subarray(tcp.payloadOffset, packet.dissection.ip!.payloadEnd).every((b) => b === 0)).toBe(
            true,
          );
      }
      expect(anonymized.anonymization.payloadBytes).toBeGreaterThan(1000);
    });

    it('recomputes offloaded checksums as the pseudo-header sum over the new addresses', () => {
      const original = load('public/traces/article-success-client.pcapng');
      const anonymized = anonymizeCapture(original);
      const partial = (c: Capture) =>
        c.packets.filter((p) => p.dissection.tcp?.checksumStatus === 'partial').map((p) => p.number);
      expect(partial(original).length).toBeGreaterThan(0);
      expect(partial(anonymized)).toEqual(partial(original));
      // Where the addresses changed (all of them here: 10.0.0.0/8), the field changed too:
      // recomputed, not copied.
      const ipv4 = partial(original).filter((n) => original.packets[n - 1].dissection.ip!.version === 4);
      expect(ipv4.length).toBeGreaterThan(0);
      for (const n of ipv4) {
        expect(anonymized.packets[n - 1].dissection.ip!.src).not.toEqual(original.packets[n - 1].dissection.ip!.src);
        expect(anonymized.packets[n - 1].dissection.tcp!.checksum).not.toBe(
          original.packets[n - 1].dissection.tcp!.checksum,
        );
      }
    });

    it('maps the same way in two captures given the same key (client and server side still match)', () => {
      const client = anonymizeCapture(load('public/traces/closed-rst-client.pcapng'), { key: 'k' });
      const server = anonymizeCapture(load('public/traces/closed-rst-server.pcapng'), { key: 'k' });
      const hosts = (c: Capture) =>
        new Set(
          c.packets.flatMap((p) =>
            p.dissection.ip ? [p.dissection.ip.src.join('.'), p.dissection.ip.dst.join('.')] : [],
          ),
        );
      expect([...hosts(client)].sort()).toEqual([...hosts(server)].sort());
      const other = anonymizeCapture(load('public/traces/closed-rst-server.pcapng'), { key: 'another key' });
      expect([...hosts(other)].sort()).not.toEqual([...hosts(server)].sort());
    });

    it('empties frames it cannot walk instead of passing their addresses through', () => {
      const capture = load('zeek/Traces/arp-who-has-radiotap.pcap'); // 802.11 radiotap: not decoded
      const anonymized = anonymizeCapture(capture);
      expect(anonymized.packets.length).toBe(capture.packets.length);
      expect(anonymized.anonymization.emptiedFrames).toEqual(capture.packets.map((p) => p.number));
      expect(anonymized.packets.every((p) => p.data.length === 0)).toBe(true);
    });
  },
);

describe('address map', () => {
  it('computes SipHash-2-4 as the reference vectors say', () => {
    // Aumasson & Bernstein, "SipHash: a fast short-input PRF", Appendix A: key 00..0f,
    // message 00..0e (15 bytes) → a129ca6149be45e5; the empty message → 726fdb47dd0e0e31.
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    expect(
      sipHash24(
        k0,
        k1,
        Uint8Array.from({ length: 15 }, (_, i) => i),
      ).toString(16),
    ).toBe('a129ca6149be45e5');
    expect(sipHash24(k0, k1, new Uint8Array(0)).toString(16)).toBe('726fdb47dd0e0e31');
  });

  it('is a bijection that keeps prefixes: all of 10.1.0.0/20 maps onto one /16 inside 10/8', () => {
    const map = new AddressMap(addressMapKey('bijection'));
    const outputs = new Set<string>();
    let prefix: string | undefined;
    for (let c = 0; c < 16; c++) {
      for (let d = 0; d < 256; d++) {
        const out = map.mapIPv4(Uint8Array.of(10, 1, c, d));
        expect(out[0]).toBe(10);
        prefix ??= `${out[0]}.${out[1]}`;
        expect(`${out[0]}.${out[1]}`).toBe(prefix);
        outputs.add(out.join('.'));
      }
    }
    expect(outputs.size).toBe(4096);
  });

  it('keeps special addresses, keeps their kind, and agrees with itself across families', () => {
    const map = new AddressMap(addressMapKey('special'));
    const v4 = (text: string) => Array.from(map.mapIPv4(Uint8Array.from(text.split('.').map(Number)))).join('.');
    for (const kept of ['255.255.255.255', '224.0.0.251', '127.0.0.1', '0.0.0.0', '192.0.2.7'])
      expect(v4(kept)).toBe(kept);
    expect(v4('172.20.1.2')).toMatch(/^172\.(1[6-9]|2\d|3[01])\./);
    expect(v4('169.254.3.4')).toMatch(/^169\.254\./);
    // ::ffff:10.1.2.3 says the same as 10.1.2.3.
    const mapped = map.mapIPv6(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3));
    expect(Array.from(mapped.subarray(12)).join('.')).toBe(v4('10.1.2.3'));
    expect(Array.from(mapped.subarray(0, 12))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
    // ff02::1 (all nodes) is kept; a solicited-node address keeps its /104 and changes below it.
    const allNodes = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    expect(Array.from(map.mapIPv6(allNodes))).toEqual(Array.from(allNodes));
    const solicited = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x12, 0x34, 0x56);
    const mappedSolicited = map.mapIPv6(solicited);
    expect(Array.from(mappedSolicited.subarray(0, 13))).toEqual(Array.from(solicited.subarray(0, 13)));
    expect(Array.from(mappedSolicited.subarray(13))).not.toEqual([0x12, 0x34, 0x56]);
    // MACs: broadcast, multicast and zero kept; a unicast one keeps its I/G and U/L bits.
    const mac = (bytes: number[]) => Array.from(map.mapMac(Uint8Array.from(bytes)));
    for (const kept of [
      [255, 255, 255, 255, 255, 255],
      [1, 0, 0x5e, 0, 0, 0xfb],
      [0x33, 0x33, 0, 0, 0, 1],
      [0, 0, 0, 0, 0, 0],
    ]) {
      expect(mac(kept)).toEqual(kept);
    }
    const unicast = mac([0x00, 0x21, 0x6a, 0x5b, 0x7d, 0x4a]);
    expect(unicast).not.toEqual([0x00, 0x21, 0x6a, 0x5b, 0x7d, 0x4a]);
    expect(unicast[0] & 3).toBe(0);
    expect(mac([0x02, 0x42, 0xac, 0x11, 0, 2])[0] & 3).toBe(2); // locally administered (Docker)
  });

  it('maps the same with the same passphrase and differently with another', () => {
    const address = Uint8Array.of(10, 9, 8, 7);
    const a = new AddressMap(addressMapKey('one')).mapIPv4(address);
    expect(Array.from(new AddressMap(addressMapKey('one')).mapIPv4(address))).toEqual(Array.from(a));
    const others = ['two', 'three', 'four'].map((k) =>
      Array.from(new AddressMap(addressMapKey(k)).mapIPv4(address)).join('.'),
    );
    expect(others.some((o) => o !== Array.from(a).join('.'))).toBe(true);
  });
});
