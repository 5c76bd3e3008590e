// The attempt table keeps the text of only 1,024 IPv4 addresses at a time, in slots picked by
// hashing the address, so a flood's one-off sources do not pile up. Whatever the slots hold, an
// attempt's client and server must be the addresses its packets carry: captures here draw from
// 5,000 addresses (so slots are shared and overwritten) and come back to early ones after others
// have taken their slots.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeTcpStreams, attemptTable } from '../../src/lib/analysis/index.ts';
import { buildCapture, type Item } from './build.ts';

const POOL = 5000;
/** Address 0 is 0.0.0.0, the number 0, which an empty slot also holds. */
const address = (n: number) => (n === 0 ? '0.0.0.0' : `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`);
/** Addresses spread over the whole range too, high bit set (above 2^31) included. */
const farAddress = (n: number) => `${128 + (n % 120)}.${(n * 7) & 0xff}.${(n >> 3) & 0xff}.${n & 0xff}`;

describe('attempt addresses', () => {
  it('every attempt names the client and server its SYN came from and went to', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            client: fc.integer({ min: 0, max: POOL - 1 }),
            server: fc.integer({ min: 0, max: POOL - 1 }),
            far: fc.boolean(),
            answered: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3000 },
        ),
        (syns) => {
          const items: Item[] = [];
          const expected: Array<{ client: string; server: string }> = [];
          syns.forEach((s, k) => {
            const name = s.far ? farAddress : address;
            const client = name(s.client);
            const server = name(s.server + 1);
            if (client === server) return;
            // a new client port each time: every SYN is an attempt of its own
            const sport = 1024 + (k % 60000);
            items.push({ t: k * 0.001, src: client, dst: server, sport, dport: 80, flags: 'S', seq: k });
            if (s.answered)
              items.push({
                t: k * 0.001,
                src: server,
                dst: client,
                sport: 80,
                dport: sport,
                flags: 'SA',
                seq: 7,
                ack: k + 1,
              });
            expected.push({ client, server });
          });
          const capture = buildCapture(items);
          const table = attemptTable(capture, analyzeTcpStreams(capture, true));
          expect(table.count).toBe(expected.length);
          for (let i = 0; i < table.count; i++) {
            expect(table.clientAddress(i)).toBe(expected[i].client);
            expect(table.serverAddress(i)).toBe(expected[i].server);
            const attempt = table.attemptAt(i);
            expect([attempt.client, attempt.server]).toEqual([expected[i].client, expected[i].server]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('0.0.0.0, the number an empty slot holds, is named as itself', () => {
    const capture = buildCapture([
      { t: 0, src: '0.0.0.0', dst: '10.0.0.1', sport: 1000, dport: 80, flags: 'S', seq: 1 },
    ]);
    const table = attemptTable(capture, analyzeTcpStreams(capture, true));
    expect([table.clientAddress(0), table.serverAddress(0)]).toEqual(['0.0.0.0', '10.0.0.1']);
  });
});
