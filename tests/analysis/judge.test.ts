// judgeCapture's shortcut: the kind of an attempt (verdict, nmap, Zeek state, history), read off
// the attempt table's columns for attempts of SYNs alone, must be what classify says of the
// attempt built in full. Checked on every bundled trace and corpus capture, on a SYN flood, and
// on the shapes a lone SYN can take (retries past Zeek's 5 s timer, copies, data, a capture that
// stops at once).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeCapture, type JudgedCapture } from '../../src/lib/analysis/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';
import { everyBundledCapture, requireCorpus } from '../support/corpus.ts';
import { synFlood } from '../support/syn-flood.ts';
import { buildCapture, syns, type Segment } from './build.ts';

const corpus = requireCorpus();

/** Every attempt's kind beside the same fields of its verdict; and how many were SYNs alone. */
function kindsAndVerdicts(judged: JudgedCapture) {
  const kinds = [];
  const verdicts = [];
  let synsAlone = 0;
  for (let i = 0; i < judged.count; i++) {
    const v = judged.verdictAt(i);
    kinds.push(judged.kindAt(i));
    verdicts.push({ verdict: v.verdict, nmap: v.nmap, zeek: v.zeek, history: v.history });
    if (v.attempt.packets.every((p) => p.role === 'syn' || p.role === 'syn-retransmission' || p.role === 'duplicate'))
      synsAlone++;
  }
  return { kinds, verdicts, synsAlone };
}

describe.skipIf(corpus.skip)(`kindAt equals verdictAt${corpus.note}`, () => {
  it('on every bundled trace and corpus capture', () => {
    const files = everyBundledCapture();
    expect(files.length).toBeGreaterThan(1000);
    let attempts = 0;
    let synsAlone = 0;
    for (const file of files) {
      const judged = judgeCapture(loadCaptureBytes(new Uint8Array(readFileSync(file))));
      const both = kindsAndVerdicts(judged);
      expect(both.kinds, file).toEqual(both.verdicts);
      attempts += judged.count;
      synsAlone += both.synsAlone;
    }
    // Both paths ran: attempts of SYNs alone (read off the columns) and the others.
    expect(synsAlone).toBeGreaterThan(50);
    expect(attempts - synsAlone).toBeGreaterThan(500);
  });
});

describe('kindAt on SYNs alone', () => {
  it('a SYN flood: no-response where a retry or a second of capture followed, inconclusive at the end', () => {
    const judged = judgeCapture(loadCaptureBytes(synFlood(2000)));
    expect(judged.count).toBe(2000);
    const { kinds, verdicts, synsAlone } = kindsAndVerdicts(judged);
    expect(kinds).toEqual(verdicts);
    expect(synsAlone).toBe(2000);
    expect(new Set(kinds.map((k) => k.verdict))).toEqual(new Set(['no-response', 'inconclusive']));
  });

  const shapes: Record<string, Segment[]> = {
    'retries past Zeek’s 5 s attempt timer': syns([0, 1, 3, 7, 15]),
    'one SYN, the capture going on 30 s': [...syns([0]), ...syns([30], '10.0.0.9', 40000, '10.0.0.8', 80, 5)],
    'one SYN, the capture stopping at once': syns([0]),
    'a quick retry, the capture stopping there (no-response within a second)': syns([0, 0.4]),
    'a copy of the SYN (same IP ID, 2 ms later)': syns([0, 0.002]).map((s) => ({ ...s, ipId: 77 })),
    'SYNs with data (not SYNs alone: the full path)': syns([0, 1]).map((s) => ({ ...s, len: 20 })),
    'a SYN+FIN (not SYNs alone)': syns([0, 1]).map((s) => ({ ...s, flags: 'SF' })),
  };
  for (const [name, segments] of Object.entries(shapes)) {
    it(name, () => {
      const judged = judgeCapture(buildCapture(segments));
      const { kinds, verdicts } = kindsAndVerdicts(judged);
      expect(kinds.length).toBeGreaterThan(0);
      expect(kinds).toEqual(verdicts);
    });
  }
});

describe('which attempt a reset answers, when an ISN + 1 and the end of a SYN’s data are the same number', () => {
  // Two attempts on one 4-tuple: A's SYN carries 9 bytes from Seq 1000 (it ends at 1010), B's
  // ISN is 1009 (its ISN + 1 is 1010). A RST/ACK with Ack 1010 fits both: the one registered
  // last, by its SYN, is the one answered.
  const a = { ...syns([0], '10.0.0.1', 5000, '10.0.0.2', 80, 1000)[0], len: 9 };
  const b = syns([0], '10.0.0.1', 5000, '10.0.0.2', 80, 1009)[0];
  const reset = (t: number): Segment => ({
    t,
    src: '10.0.0.2',
    dst: '10.0.0.1',
    sport: 80,
    dport: 5000,
    flags: 'RA',
    seq: 0,
    ack: 1010,
  });
  const refused = (segments: Segment[]) => {
    const judged = judgeCapture(buildCapture(segments));
    return Array.from({ length: judged.count }, (_, i) => judged.verdictAt(i))
      .filter((v) => v.verdict === 'refused')
      .map((v) => v.attempt.isn);
  };

  it('A then B: B', () => {
    expect(refused([{ ...a, t: 0 }, { ...b, t: 0.1 }, reset(0.2)])).toEqual([1009]);
  });

  it('B then A: A', () => {
    expect(refused([{ ...b, t: 0 }, { ...a, t: 0.1 }, reset(0.2)])).toEqual([1000]);
  });
});
