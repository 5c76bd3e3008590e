// `verdicts` and `compare` free each phase's working tables before the next phase allocates its
// own (CliIO.collectGarbage): typed arrays live outside the JavaScript heap, and V8 frees them
// only when it collects its old generation, which a small heap seldom prompts. `packets`, which
// streams, bounds its memory every 4 MiB it reads (CliIO.boundMemory).
import { describe, expect, it } from 'vitest';
import { nodeIO } from '../../src/cli/io.ts';
import { run as verdicts } from '../../src/cli/commands/verdicts.ts';
import { run as compare } from '../../src/cli/commands/compare.ts';
import { run as packets } from '../../src/cli/commands/packets.ts';
import { synFlood } from '../support/syn-flood.ts';
import { fakeIO } from './fake-io.ts';

const MiB = 1 << 20;

describe('collecting garbage between phases', () => {
  it.each(['collectGarbage', 'boundMemory'] as const)(
    "Node's %s frees a typed array that nothing refers to any more, at once",
    (call) => {
      // A phase that makes a 64 MiB table and lets go of it when it returns.
      const held = (() => {
        const table = new Float64Array(8 * MiB);
        table[table.length - 1] = 1;
        return process.memoryUsage().arrayBuffers;
      })();
      // Nothing is allocated in between that could prompt V8 to collect on its own.
      nodeIO[call]!();
      expect(held - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(64 * MiB);
    },
  );

  /** A fake terminal that also notes, in order, each line written and each collection. */
  function watchedIO() {
    const io = fakeIO();
    const events: string[] = [];
    const out = io.out.bind(io);
    const watched = {
      ...io,
      get stdout() {
        return io.stdout;
      },
      out(text: string) {
        events.push('out');
        out(text);
      },
      collectGarbage() {
        events.push('collect');
      },
    };
    return { io: watched, events };
  }

  it('verdicts collects after reading and after the TCP analysis, before a line is written', async () => {
    const { io, events } = watchedIO();
    expect(await verdicts(['public/traces/article-blocked-client.pcapng'], io)).toBe(0);
    expect(io.stdout).toContain('no-response');
    expect(events.slice(0, 3)).toEqual(['collect', 'collect', 'out']);
    expect(events.filter((e) => e === 'collect')).toHaveLength(2);
  });

  it('packets bounds its memory once every 4 MiB it reads, and writes the same lines', async () => {
    const flood = synFlood(60_000);
    const files = { 'flood.pcapng': flood };
    const window = 16 << 10;
    const plain = fakeIO({ files, chunkSize: window });
    expect(await packets(['flood.pcapng'], plain)).toBe(0);
    const io = fakeIO({ files, chunkSize: window });
    let bounds = 0;
    const counted = {
      ...io,
      get stdout() {
        return io.stdout;
      },
      boundMemory() {
        bounds++;
      },
    };
    expect(await packets(['flood.pcapng'], counted)).toBe(0);
    expect(io.stdout).toBe(plain.stdout);
    expect(io.stdout.split('\n').length).toBeGreaterThan(60_000);
    // every 16 KiB chunk of this flood completes packets: a window each
    expect(bounds).toBe(Math.floor(Math.ceil(flood.length / window) / 256));
    expect(bounds).toBeGreaterThan(0);
  });

  it('compare does the same for its two captures', async () => {
    const { io, events } = watchedIO();
    const sides = ['public/traces/article-blocked-client.pcapng', 'public/traces/article-blocked-server.pcapng'];
    expect(await compare(sides, io)).toBe(0);
    expect(io.stdout).toContain('client attempts found in the server capture');
    expect(events.slice(0, 3)).toEqual(['collect', 'collect', 'out']);
    expect(events.filter((e) => e === 'collect')).toHaveLength(2);
  });
});
