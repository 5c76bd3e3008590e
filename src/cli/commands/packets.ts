// `porttrace packets FILE [--json | --netmon] [--filter EXPR]`: one line per packet, like tshark's
// default output, or Network Monitor's descriptions, or JSON for scripts.
import { argumentError, type CliIO } from '../io.ts';
import { loadCaptureStream } from '../../lib/load.ts';
import { Describer, type PacketDescription } from '../../lib/describe/index.ts';
import { tcpStreamsOf } from '../../lib/analysis/tcp-streams.ts';
import { compileFilter, formatFilterError } from '../../lib/filter/index.ts';
import type { Capture, Packet } from '../../lib/packets.ts';
import type { CaptureError } from '../../lib/capture/types.ts';

const USAGE = 'usage: porttrace packets FILE [--json | --netmon] [--filter EXPR]\n';

interface Options {
  file: string;
  json: boolean;
  netmon: boolean;
  filter?: string;
}

function parseArgs(args: string[]): Options | string {
  let file: string | undefined;
  let json = false;
  let netmon = false;
  let filter: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--netmon') netmon = true;
    else if (arg === '--filter' || arg === '-Y') {
      if (i + 1 >= args.length) return `${arg} needs a filter expression`;
      filter = args[++i];
    } else if (arg.startsWith('--filter=')) filter = arg.slice('--filter='.length);
    else if (arg.startsWith('-') && arg !== '-') return `unknown option "${arg}"`;
    else if (file === undefined) file = arg;
    else return `unexpected argument "${arg}"`;
  }
  if (file === undefined) return 'missing FILE';
  if (json && netmon) return '--json and --netmon cannot be combined (--json has both descriptions)';
  return { file, json, netmon, filter };
}

/** Seconds since the first packet, with 9 digits (tshark's precision on nanosecond files). */
export function relativeSeconds(packet: Packet, first: Packet, digits: 6 | 9): string {
  let seconds = packet.seconds - first.seconds;
  let nanoseconds = packet.nanoseconds - first.nanoseconds;
  if (nanoseconds < 0) {
    seconds -= 1;
    nanoseconds += 1_000_000_000;
  }
  const fraction = String(nanoseconds).padStart(9, '0');
  return `${seconds}.${digits === 9 ? fraction : fraction.slice(0, 6)}`;
}

/** tshark prints microseconds unless the file holds nanoseconds. */
function timeDigits(capture: Capture): 6 | 9 {
  if (/nsec|nano/i.test(capture.info.variant)) return 9;
  return capture.packets.some((p) => p.nanoseconds % 1000 !== 0) ? 9 : 6;
}

/** tshark's default line: columns padded to its minimum widths. */
export function tsharkLine(packet: Packet, description: PacketDescription, time: string, text: string): string {
  return (
    `${String(packet.number).padStart(5)} ${time.padStart(10)} ${description.src.padStart(12)} → ` +
    `${description.dst.padEnd(12)} ${description.protocol} ${packet.originalLength} ${text}`
  );
}

function errorLine(file: string, error: CaptureError): string {
  const message = error.message;
  const labelled =
    message.startsWith(`${error.kind}:`) || error.kind === 'not-a-capture' ? message : `${error.kind}: ${message}`;
  return `porttrace: ${file}: ${labelled}\n`;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const options = parseArgs(args);
  if (typeof options === 'string') {
    io.err(argumentError('packets', options));
    return 2;
  }
  const { file } = options;

  // Check the filter before reading a possibly large file.
  let compiled: { run(capture: Capture): Uint32Array } | undefined;
  if (options.filter !== undefined) {
    const result = compileFilter(options.filter);
    if (!result.ok) {
      io.err(`porttrace: invalid filter: ${formatFilterError(options.filter, result.error)}`);
      return 2;
    }
    compiled = result.filter;
  }

  let capture: Capture;
  try {
    const { size, chunks } = io.openFile(file);
    capture = await loadCaptureStream(chunks, { totalBytes: size });
  } catch (problem) {
    const reason = problem instanceof Error ? problem.message : String(problem);
    io.err(`porttrace: ${file}: cannot read: ${reason}\n`);
    return 2;
  }

  // One line at a time: each packet is described, written and forgotten, so what is held is the
  // capture and its TCP analysis, never the output (a million description objects and their
  // strings were most of this command's memory).
  const describer = new Describer(capture, tcpStreamsOf(capture));
  const selected = compiled ? compiled.run(capture) : undefined;
  const first = capture.packets[0];
  const digits = timeDigits(capture);
  const lines: string[] = [];
  // Written in slices: neither one write per packet nor one giant string.
  const flush = (last: boolean) => {
    if (lines.length === 0) return;
    io.out(lines.join(options.json ? ',\n' : '\n') + (options.json && !last ? ',\n' : '\n'));
    lines.length = 0;
  };
  if (options.json) io.out(capture.packets.length === 0 || selected?.length === 0 ? '[]\n' : '[\n');
  let next = 0;
  for (let i = 0; i < capture.packets.length; i++) {
    if (selected) {
      if (next >= selected.length) break;
      if (selected[next] !== i) continue;
      next++;
    }
    const d = describer.describe(i);
    const packet = capture.packets[i];
    if (options.json) {
      const row = {
        number: packet.number,
        time: relativeSeconds(packet, first, 9),
        src: d.src,
        dst: d.dst,
        protocol: d.protocol,
        length: packet.originalLength,
        capturedLength: packet.capturedLength,
        info: d.info,
        description: d.netmon,
        ...(packet.dissection.problem ? { problem: packet.dissection.problem } : {}),
      };
      // The same text JSON.stringify(rows, null, 1) gives for the whole array.
      lines.push(' ' + JSON.stringify(row, null, 1).replaceAll('\n', '\n '));
    } else {
      lines.push(tsharkLine(packet, d, relativeSeconds(packet, first, digits), options.netmon ? d.netmon : d.info));
    }
    if (lines.length === 4096) flush(false);
  }
  flush(true);
  if (options.json && capture.packets.length > 0 && selected?.length !== 0) io.out(']\n');

  if (capture.error) {
    io.err(errorLine(file, capture.error));
    return 2;
  }
  return 0;
}
