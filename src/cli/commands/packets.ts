// `porttrace packets FILE [--json | --netmon] [--filter EXPR]`: one line per packet, like tshark's
// default output, or Network Monitor's descriptions, or JSON for scripts.
import { argumentError, type CliIO } from '../io.ts';
import { loadCaptureStream } from '../../lib/load.ts';
import { Describer, type PacketDescription } from '../../lib/describe/index.ts';
import { TcpStreamAnalyzer, tcpStreamsOf } from '../../lib/analysis/tcp-streams.ts';
import { compileFilter, formatFilterError, type CompiledFilter } from '../../lib/filter/index.ts';
import type { Capture, Packet } from '../../lib/packets.ts';
import type { CaptureError, CaptureInfo, CaptureInterface } from '../../lib/capture/types.ts';
import type { PacketStore } from '../../lib/store/packet-store.ts';

/**
 * Bytes read at a time, hence the window of rows held (a few hundred small packets): the less a
 * window holds, the less survives into the heap's old generation, whose slack was most of the
 * peak memory (1M tiny packets: 111 MiB with 16 KiB, 120–122 with 64 KiB, 136 with 256 KiB).
 */
const WINDOW_BYTES = 16 << 10;

/** Windows between two calls of `io.boundMemory`: 4 MiB read. */
const WINDOWS_PER_BOUND = (4 << 20) / WINDOW_BYTES;

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
export function relativeSeconds(packet: Instant, first: Instant, digits: 6 | 9): string {
  let seconds = packet.seconds - first.seconds;
  let nanoseconds = packet.nanoseconds - first.nanoseconds;
  if (nanoseconds < 0) {
    seconds -= 1;
    nanoseconds += 1_000_000_000;
  }
  const fraction = String(nanoseconds).padStart(9, '0');
  return `${seconds}.${digits === 9 ? fraction : fraction.slice(0, 6)}`;
}

type Instant = Pick<Packet, 'seconds' | 'nanoseconds'>;

/** tshark's default line: columns padded to its minimum widths. */
export function tsharkLine(
  packet: Packet,
  description: Pick<PacketDescription, 'src' | 'dst' | 'protocol'>,
  time: string,
  text: string,
): string {
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

/**
 * How many digits the time column has, as tshark decides it: microseconds unless the packet's
 * time stamps are finer. A pcap says which in its magic number (a microsecond file whose
 * fraction field overflows into the seconds still prints 6 digits); a pcapng per interface, by
 * its if_tsresol (so one file can mix both, as in tshark); NetMon and ETL files, which do not
 * say, by their packets: 9 as soon as one has a time finer than a microsecond, 6 only at the end.
 */
class TimeDigits {
  #fixed: 6 | 9 | undefined;
  #interfaces: CaptureInterface[] | undefined;
  #rowsSeen = 0;

  /** Whether the digits of the store's rows are known (and so their lines can be written). */
  settle(info: CaptureInfo | undefined, store: PacketStore, end: boolean): boolean {
    if (info === undefined) return false;
    if (this.#fixed !== undefined) return true;
    if (/nsec|nano/i.test(info.variant)) this.#fixed = 9;
    else if (info.format === 'pcap') this.#fixed = 6;
    else if (info.format === 'pcapng') {
      // The interface list grows as the file is read; a packet's interface comes before it.
      this.#interfaces = info.interfaces;
      return true;
    } else {
      const nanoseconds = store.columns.nanoseconds;
      for (; this.#rowsSeen < store.count && this.#fixed === undefined; this.#rowsSeen++)
        if (nanoseconds[this.#rowsSeen] % 1000 !== 0) this.#fixed = 9;
      if (end) this.#fixed ??= 6;
    }
    return this.#fixed !== undefined;
  }

  /** Row i's digits, once `settle` said they are known. */
  of(store: PacketStore, i: number): 6 | 9 {
    if (this.#fixed !== undefined) return this.#fixed;
    const ticks = this.#interfaces?.[store.columns.interfaceId[i]]?.ticksPerSecond;
    // Whole microseconds, or coarser: 6 digits.
    return ticks === undefined || (ticks > 0 && ticks <= 1e6 && 1e6 % ticks === 0) ? 6 : 9;
  }
}

/**
 * The lines, written in slices (neither one write per packet nor one giant string), each slice
 * waiting until the terminal or pipe has taken the one before; --json's rows are the text
 * `JSON.stringify(rows, null, 1)` gives for the whole array.
 */
class Output {
  readonly #io: CliIO;
  readonly #json: boolean;
  readonly #lines: string[] = [];
  #written = 0;
  /** Lines per slice: the first goes out alone, so it shows at once; then twice as many each time. */
  #slice = 1;

  constructor(io: CliIO, json: boolean) {
    this.#io = io;
    this.#json = json;
  }

  /** Adds a line; true when a slice is ready, to be written with `flush` (not a promise per line). */
  add(line: string): boolean {
    this.#lines.push(line);
    return this.#lines.length >= this.#slice;
  }

  async flush(): Promise<void> {
    const lines = this.#lines;
    if (lines.length === 0) return;
    this.#slice = Math.min(this.#slice * 2, 4096);
    if (this.#json) this.#io.out((this.#written === 0 ? '[\n' : ',\n') + lines.join(',\n'));
    else this.#io.out(lines.join('\n') + '\n');
    this.#written += lines.length;
    lines.length = 0;
    await this.#io.drained?.();
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.#json) this.#io.out(this.#written === 0 ? '[]\n' : '\n]\n');
  }
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
  const { file, json, netmon } = options;

  // Check the filter before reading a possibly large file.
  let compiled: CompiledFilter | undefined;
  if (options.filter !== undefined) {
    const result = compileFilter(options.filter);
    if (!result.ok) {
      io.err(`porttrace: invalid filter: ${formatFilterError(options.filter, result.error)}`);
      return 2;
    }
    compiled = result.filter;
  }

  const output = new Output(io, json);
  const time = new TimeDigits();
  let first: Instant | undefined;
  let windows = 0;
  /** The TCP analysis and the describer of the rows written so far, once writing has started. */
  let reading: { analyzer: TcpStreamAnalyzer; describer: Describer } | undefined;

  /** Adds row i's line; true when a slice of lines is ready for `output.flush()`. */
  const write = (store: PacketStore, i: number, describer: Describer): boolean => {
    const packet = store.packet(i);
    if (!json) {
      const d = describer.describeAs(i, netmon ? 'netmon' : 'info');
      return output.add(tsharkLine(packet, d, relativeSeconds(packet, first!, time.of(store, i)), d.text));
    }
    const d = describer.describe(i);
    const row = {
      number: packet.number,
      time: relativeSeconds(packet, first!, 9),
      src: d.src,
      dst: d.dst,
      protocol: d.protocol,
      length: packet.originalLength,
      capturedLength: packet.capturedLength,
      info: d.info,
      description: d.netmon,
      ...(packet.dissection.problem ? { problem: packet.dissection.problem } : {}),
    };
    return output.add(' ' + JSON.stringify(row, null, 1).replaceAll('\n', '\n '));
  };

  /** Analyses, describes and writes every row of the store (the rows before them are written). */
  const writeRows = async (store: PacketStore, info: CaptureInfo): Promise<void> => {
    if (!reading) {
      const analyzer = new TcpStreamAnalyzer(store, store.count);
      reading = { analyzer, describer: new Describer({ info, packets: [], store }, analyzer.result) };
    }
    const { analyzer, describer } = reading;
    for (let i = 0; i < store.count; i++) {
      analyzer.analyze(i);
      if (write(store, i, describer)) await output.flush();
    }
    await output.flush();
  };

  // Read through a window: each chunk's packets are analysed, written and forgotten, so what is
  // held is the connections' state, not the capture. Not when a filter is given (its fields may
  // need the whole capture), nor for NetMon and ETL files (their interface list, hence the frame
  // check sequence every frame is decoded with, is only final at the end; and their time
  // column's digits are told from every packet): their rows are held and written at the end.
  const onRows = async (store: PacketStore, info: CaptureInfo | undefined): Promise<void> => {
    if (compiled || info === undefined || (info.format !== 'pcap' && info.format !== 'pcapng')) return;
    if (store.count === 0) return;
    first ??= { seconds: store.columns.seconds[0], nanoseconds: store.columns.nanoseconds[0] };
    time.settle(info, store, false);
    await writeRows(store, info);
    store.forgetRows();
    reading!.describer.forgetRows();
    if (++windows % WINDOWS_PER_BOUND === 0) io.boundMemory?.();
  };

  let capture: Capture;
  try {
    const { size, chunks } = io.openFile(file, WINDOW_BYTES);
    capture = await loadCaptureStream(chunks, { totalBytes: size, onRows });
  } catch (problem) {
    const reason = problem instanceof Error ? problem.message : String(problem);
    io.err(`porttrace: ${file}: cannot read: ${reason}\n`);
    return 2;
  }

  // The rows still held: the last window, or the whole capture.
  const store = capture.store!;
  if (store.count > 0) {
    first ??= capture.packets[0];
    time.settle(capture.info, store, true);
    if (compiled) {
      // One analysis for the filter and the lines: the capture's own.
      const describer = new Describer(capture, tcpStreamsOf(capture));
      for (const i of compiled.run(capture)) if (write(store, i, describer)) await output.flush();
    } else {
      await writeRows(store, capture.info);
    }
  }
  await output.end();

  if (capture.error) {
    io.err(errorLine(file, capture.error));
    return 2;
  }
  return 0;
}
