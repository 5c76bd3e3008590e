// `porttrace compare CLIENT SERVER [--json] [--firewall-log pfirewall.log]`: match a client-side
// and a server-side capture of the same moment and say where each attempt ended (none / path /
// server / return-path). The firewall log is the server's: its DROP lines join the server
// side's evidence, and the steps that place the attempt at the server.
import { argumentError, type CliIO } from '../io.ts';
import { attemptJson, compareCaptures, tcpKeysOf } from '../../lib/analysis/index.ts';
import { formatSeconds } from '../../lib/analysis/timing.ts';
import type { FirewallLog } from '../../lib/capture/firewall-log.ts';
import { attemptText, damageLine, parseArgs, readCapture, readFirewallLog } from './verdicts.ts';

const USAGE = "usage: porttrace compare CLIENT SERVER [--json] [--firewall-log pfirewall.log]  (the server's log)\n";

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const parsed = parseArgs(args, 2);
  if (typeof parsed === 'string') {
    io.err(argumentError('compare', parsed));
    return 2;
  }
  const [clientFile, serverFile] = parsed.files;
  // the comparison is of verdicts, which read headers only (see verdicts)
  const client = await readCapture(clientFile, io, false);
  if (typeof client === 'string') {
    io.err(client);
    return 2;
  }
  const server = await readCapture(serverFile, io, false);
  if (typeof server === 'string') {
    io.err(server);
    return 2;
  }
  let serverFirewallLog: FirewallLog | undefined;
  if (parsed.firewallLog !== undefined) {
    const log = await readFirewallLog(parsed.firewallLog, io);
    if (typeof log === 'string') {
      io.err(log);
      return 2;
    }
    serverFirewallLog = log;
  }
  // Each phase's garbage freed before the next allocates (see verdicts): the readings', then the
  // two TCP analyses' working tables (the comparison uses the analyses made here).
  io.collectGarbage?.();
  tcpKeysOf(client);
  tcpKeysOf(server);
  io.collectGarbage?.();
  const comparison = compareCaptures(client, server, { serverFirewallLog });
  const offset = Number.isFinite(comparison.clockOffset) ? comparison.clockOffset : null;
  if (parsed.json) {
    io.out(
      JSON.stringify(
        {
          attempts: comparison.attempts.map(attemptJson),
          matched: comparison.matched,
          clockOffset: offset,
          findings: comparison.findings,
        },
        null,
        1,
      ) + '\n',
    );
  } else {
    io.out(
      `${comparison.matched} of ${comparison.attempts.length} client attempts found in the server capture` +
        (offset !== null
          ? `; the server's clock is ${formatSeconds(Math.abs(offset))} ${offset >= 0 ? 'ahead' : 'behind'}`
          : '') +
        '\n\n',
    );
    for (const v of comparison.attempts) io.out(attemptText(v));
    for (const f of comparison.findings) io.out(`\n${f}\n`);
  }
  let status = 0;
  for (const [file, capture] of [
    [clientFile, client],
    [serverFile, server],
  ] as const) {
    const damage = damageLine(file, capture);
    if (damage) {
      io.err(damage);
      status = 2;
    }
  }
  return status;
}
