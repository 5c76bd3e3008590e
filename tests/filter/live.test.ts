// The suite against tshark itself, live (when tshark is installed — CI installs it): one tshark
// pass per capture evaluates every filter through scripts/golden-filters.lua, and every frame
// set must equal ours, except the documented differences. This keeps the committed goldens
// honest: if they drifted from tshark, this would disagree with golden.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFilter } from '../../src/lib/filter/index.ts';
import { loadCaptureBytes } from '../../src/lib/load.ts';

import { capturePath, REPO_ROOT, requireTsharkWithLua } from '../support/corpus.ts';

const tshark = requireTsharkWithLua();

// A few corpus files plus the project's traces whose names say ICMP (their quoted headers are
// where tshark's behaviour is most particular); the traces are found by name, as they may be
// re-recorded.
const CAPTURES = [
  'public/traces/open-client.pcapng',
  'zeek/Traces/communityid/ipv6.pcap',
  'zeek/Traces/vlan-collisions.pcap',
  ...readdirSync(join(REPO_ROOT, 'public/traces'))
    .filter((n) => /icmp.*\.pcapng$/.test(n))
    .slice(0, 4)
    .map((n) => `public/traces/${n}`),
];

// tcp.completeness needs tshark -2 (see docs/FILTERS.md); the goldens cover it.
const filters = readFileSync('tests/filter/suite.txt', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#') && !line.includes('tcp.completeness'));

const differences = new Set(
  readFileSync('tests/filter/differences.tsv', 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t').slice(0, 2).join('\t')),
);

const work = mkdtempSync(join(tmpdir(), 'porttrace-filters-'));
const filterFile = join(work, 'filters');
writeFileSync(filterFile, filters.join('\n') + '\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(tshark.skip)(`filters against tshark, live${tshark.note}`, () => {
  it.each(CAPTURES)(
    '%s',
    (path) => {
      const output = execFileSync(
        'tshark',
        [
          '-n',
          '-o',
          'tcp.check_checksum:TRUE',
          '-o',
          'udp.check_checksum:TRUE',
          '-o',
          'ip.check_checksum:TRUE',
          '-q',
          '-r',
          capturePath(path),
          '-X',
          'lua_script:scripts/golden-filters.lua',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, GOLDEN_FILTERS: filterFile },
          stdio: ['ignore', 'pipe', 'ignore'],
          maxBuffer: 1 << 26,
        },
      );
      const capture = loadCaptureBytes(new Uint8Array(readFileSync(capturePath(path))));
      const name = path.replace(/^public\//, '').replace(/\//g, '__');
      const problems: string[] = [];
      let compared = 0;
      for (const line of output.split('\n')) {
        if (line === '') continue;
        const [index, frames] = line.split('\t');
        const filter = filters[Number(index) - 1];
        const ours = compileFilter(filter);
        if (frames === '!error') {
          if (ours.ok) problems.push(`${filter}: tshark rejects it, we accept it`);
          continue;
        }
        if (!ours.ok) {
          problems.push(`${filter}: tshark accepts it, we reject it (${ours.error.message})`);
          continue;
        }
        if (differences.has(`${filter}\t${name}`) || differences.has(`${filter}\t*`)) continue;
        compared++;
        const mine = Array.from(ours.filter.run(capture), (i) => capture.packets[i].number).join(',');
        if (mine !== frames)
          problems.push(`${filter}\n    tshark: ${frames || '(none)'}\n    ours:   ${mine || '(none)'}`);
      }
      expect(compared).toBeGreaterThan(150);
      expect(problems, problems.join('\n')).toEqual([]);
    },
    120_000,
  );
});
