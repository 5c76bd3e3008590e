// `porttrace packets FILE [--json | --netmon] [--filter EXPR]`: one line per packet, like tshark's
// default output, or Network Monitor's descriptions, or JSON for scripts.
import type { CliIO } from '../io.ts';
import { loadCaptureStream } from '../../lib/load.ts';
import { describePackets, type PacketDescription } from '../../lib/describe/index.ts';
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
  const options = parseArgs(args);
  if (typeof options === 'string') {
    io.err(`porttrace packets: ${options}\n${USAGE}`);
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

  const descriptions = describePackets(capture);
  const indices = compiled ? Array.from(compiled.run(capture)) : capture.packets.map((_, i) => i);
  const first = capture.packets[0];
  const digits = timeDigits(capture);

  if (options.json) {
    const rows = indices.map((i) => {
      const packet = capture.packets[i];
      const d = descriptions[i];
      return {
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
    });
    io.out(JSON.stringify(rows, null, 1) + '\n');
  } else {
    // Built in slices so a large capture is not one giant string.
    const lines: string[] = [];
    for (const i of indices) {
      const packet = capture.packets[i];
      const d = descriptions[i];
      lines.push(tsharkLine(packet, d, relativeSeconds(packet, first, digits), options.netmon ? d.netmon : d.info));
      if (lines.length === 4096) {
        io.out(lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length) io.out(lines.join('\n') + '\n');
  }

  if (capture.error) {
    io.err(errorLine(file, capture.error));
    return 2;
  }
  return 0;
}
