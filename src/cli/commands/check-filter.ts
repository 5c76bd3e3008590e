// `porttrace check-filter EXPR`: exit 0 when the display filter is valid (printing any warning,
// e.g. about != on tcp.port), else the message, the filter, a ^~~ line and a hint on stderr and
// exit 2 — the same check the filter bar and `packets --filter` run.
import { compileFilter, formatFilterError } from '../../lib/filter/index.ts';
import { argumentError, type CliIO } from '../io.ts';

const USAGE = 'usage: porttrace check-filter EXPR\n';

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.length === 1 && (args[0] === '-h' || args[0] === '--help')) {
    io.out(USAGE);
    return 0;
  }
  if (args.length !== 1) {
    // Several words are almost always an unquoted filter: say so rather than guess.
    io.err(
      argumentError(
        'check-filter',
        args.length === 0
          ? 'missing EXPR, the display filter to check'
          : 'put the filter in quotes, e.g. porttrace check-filter "tcp.port == 3389"',
      ),
    );
    return 2;
  }
  const text = args[0];
  const result = compileFilter(text);
  if (!result.ok) {
    io.err(formatFilterError(text, result.error));
    return 2;
  }
  for (const warning of result.filter.warnings) {
    io.err(formatFilterError(text, { message: `note: ${warning.message}`, start: warning.start, end: warning.end }));
  }
  io.out('valid\n');
  return 0;
}
