// Every output of `porttrace verdicts` on every bundled trace and corpus capture — the grouped
// text, --all, --summary, --json and --jsonl, and with a Windows Firewall log beside the blocked
// traces — run in-process and written to one JSON file, keyed by capture and option. For a change
// that must not change what porttrace says: run it before and after, and compare the two files.
//
//   npx tsx scripts/verdicts-snapshot.ts /tmp/after.json
//   (the same script, copied into a checkout of the earlier commit, writes /tmp/before.json)
//   cmp /tmp/before.json /tmp/after.json
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { main } from '../src/cli/main.ts';
import { fakeIO } from '../tests/cli/fake-io.ts';
import { firewallLogFor } from '../tests/firewall/write-firewall-log.ts';

const root = join(import.meta.dirname, '..');
const CAPTURE = /\.(pcap|pcapng|cap|etl)$/;

function capturesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return capturesUnder(path);
      return CAPTURE.test(name) ? [relative(root, path)] : [];
    });
}

async function run(args: string[], files: Record<string, Uint8Array>): Promise<string> {
  const io = fakeIO({ files });
  const status = await main(['verdicts', ...args], io);
  return `exit ${status}\n${io.stderr}\n${io.stdout}`;
}

const outputs: Record<string, string> = {};
const captures = [...capturesUnder(join(root, 'public', 'traces')), ...capturesUnder(join(root, 'tests', 'corpus'))];
for (const name of captures) {
  const files = { [name]: new Uint8Array(readFileSync(join(root, name))) };
  for (const option of ['', '--all', '--summary', '--json', '--jsonl'])
    outputs[`${name} ${option}`] = await run([name, ...(option ? [option] : [])], files);
}
// The server's firewall log of the blocked trace, read beside each side's capture.
const log = firewallLogFor('public/traces/blocked-drop-server.pcapng', '10.0.1.20', 60) + 'not a line\r\n';
for (const name of ['public/traces/blocked-drop-server.pcapng', 'public/traces/blocked-drop-client.pcapng']) {
  const files = {
    [name]: new Uint8Array(readFileSync(join(root, name))),
    'pfirewall.log': new TextEncoder().encode(log),
  };
  for (const option of ['', '--all', '--json', '--jsonl'])
    outputs[`${name} --firewall-log ${option}`] = await run(
      [name, '--firewall-log', 'pfirewall.log', ...(option ? [option] : [])],
      files,
    );
}
writeFileSync(process.argv[2] ?? 'verdicts-snapshot.json', JSON.stringify(outputs));
console.log(`${captures.length} captures, ${Object.keys(outputs).length} outputs`);
