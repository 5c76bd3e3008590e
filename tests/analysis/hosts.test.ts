// hostTraffic against a model built with Map and Set from the same packets: packets sent and
// received per host, the distinct senders of each host that sent nothing, TTL range, and whether
// every conversation goes one way. Random captures among a few hosts, so hosts are silent, talk
// both ways, talk to themselves and send to several silent hosts interleaved.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostTraffic } from '../../src/lib/analysis/hosts.ts';
import { storeOf } from '../../src/lib/store/packet-store.ts';
import { buildCapture, type Segment } from './build.ts';

const ADDRESSES = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '2001:db8::5', '2001:db8::6'];

const packet = fc.record({
  src: fc.integer({ min: 0, max: ADDRESSES.length - 1 }),
  dst: fc.integer({ min: 0, max: ADDRESSES.length - 1 }),
  ttl: fc.integer({ min: 1, max: 255 }),
});

describe('hostTraffic', () => {
  it('counts as a model of Maps and Sets does (random captures among six hosts)', () => {
    let silentSeen = 0;
    let oneWaySeen = 0;
    fc.assert(
      fc.property(fc.array(packet, { minLength: 1, maxLength: 60, size: 'max' }), (raw) => {
        // IPv4 and IPv6 never mix within a packet
        const items: Segment[] = raw
          .filter((p) => ADDRESSES[p.src].includes(':') === ADDRESSES[p.dst].includes(':'))
          .map((p, k) => ({
            t: k,
            src: ADDRESSES[p.src],
            dst: ADDRESSES[p.dst],
            sport: 1000 + k,
            dport: 80,
            flags: 'S',
            seq: k,
            ttl: p.ttl,
          }));
        const hosts = hostTraffic(storeOf(buildCapture(items)));
        const sent = new Map<string, number>();
        const received = new Map<string, number>();
        const sendersTo = new Map<string, Set<string>>();
        const ttls = new Map<string, number[]>();
        const directed = new Set<string>();
        for (const p of items) {
          sent.set(p.src, (sent.get(p.src) ?? 0) + 1);
          received.set(p.dst, (received.get(p.dst) ?? 0) + 1);
          if (!sendersTo.has(p.dst)) sendersTo.set(p.dst, new Set());
          sendersTo.get(p.dst)!.add(p.src);
          ttls.set(p.src, [...(ttls.get(p.src) ?? []), p.ttl!]);
          directed.add(`${p.src}>${p.dst}`);
        }
        const names = new Set([...sent.keys(), ...received.keys()]);
        expect(hosts.count).toBe(names.size);
        for (let h = 0; h < hosts.count; h++) {
          const name = hosts.nameOf(h);
          expect(hosts.sent[h]).toBe(sent.get(name) ?? 0);
          expect(hosts.received[h]).toBe(received.get(name) ?? 0);
          if (hosts.isSilent(h)) {
            silentSeen++;
            expect(hosts.senders[h]).toBe(sendersTo.get(name)!.size);
          }
          if (sent.has(name)) {
            expect(hosts.lowTtl[h]).toBe(Math.min(...ttls.get(name)!));
            expect(hosts.highTtl[h]).toBe(Math.max(...ttls.get(name)!));
          }
        }
        const twoWay = [...directed].some((d) => {
          const [a, b] = d.split('>');
          return directed.has(`${b}>${a}`);
        });
        expect(hosts.allOneWay).toBe(items.length > 0 && !twoWay);
        if (hosts.allOneWay) oneWaySeen++;
      }),
      { numRuns: 1000, seed: 20261207 },
    );
    expect(silentSeen).toBeGreaterThan(300);
    expect(oneWaySeen).toBeGreaterThan(20);
  });
});
