// `porttrace COMMAND …`: each command lives in its own module under ./commands and exports
// `run(args, io) → exit code`. Errors are one line on stderr and exit code 2.
import type { CliIO } from './io.ts';
import { nodeIO } from './io.ts';

type Command = {
  summary: string;
  load: () => Promise<{ run: (args: string[], io: CliIO) => Promise<number> }>;
  /** It holds a whole capture while it writes (see CliIO.keepYoungGenerationSmall). */
  holdsCapture?: boolean;
};

const commands: Record<string, Command> = {
  packets: {
    summary: 'print one line per packet (or --json); --filter EXPR',
    load: () => import('./commands/packets.ts'),
  },
  'check-filter': {
    summary: 'check a display filter; exit 2 with the error and a ^~~ line',
    load: () => import('./commands/check-filter.ts'),
  },
  verdicts: {
    summary: 'say what happened to every TCP connection attempt; --firewall-log pfirewall.log adds its DROP lines',
    load: () => import('./commands/verdicts.ts'),
    holdsCapture: true,
  },
  compare: {
    summary:
      "match a client and a server capture and say where each attempt died; --firewall-log adds the server's DROP lines",
    load: () => import('./commands/compare.ts'),
    holdsCapture: true,
  },
  practice: {
    summary: 'write a generated exercise capture (or pair) and print its answer key',
    load: () => import('./commands/practice.ts'),
  },
  'add-trace': {
    summary: 'add a capture to the site with its verdicts as expectations',
    load: () => import('./commands/add-trace.ts'),
  },
};

function usage(): string {
  const lines = ['usage: porttrace COMMAND [ARGS]', ''];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(14)}${c.summary}`);
  return lines.join('\n') + '\n';
}

export async function main(argv: string[], io: CliIO = nodeIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '-h' || name === '--help') {
    io.out(usage());
    return 0;
  }
  const names = Object.keys(commands).join(', ');
  if (!name) {
    io.err(`porttrace: missing COMMAND, one of ${names} (porttrace --help shows the usage)\n`);
    return 2;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`porttrace: unknown command "${name}", not one of ${names} (porttrace --help shows the usage)\n`);
    return 2;
  }
  if (command.holdsCapture) io.keepYoungGenerationSmall?.();
  const mod = await command.load();
  return mod.run(rest, io);
}
