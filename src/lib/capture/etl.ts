// netsh trace / ETW .etl files: the entry points the capture readers call.
//   looksLikeEtl(head)  — sniffing, from the first bytes
//   readEtl(bytes)      — frames (NDIS-PacketCapture packets) + interfaces + an event summary
//   walkEtl(bytes)      — every buffer and event, for tools and tests
// ETL needs the whole file at once: buffers are written per CPU and only sorting all of them by
// time gives the packets in order.
import type { CaptureError, CaptureInfo, CapturedFrame } from './types.ts';
import { EVENT_TRACE_COMPRESSED_MODE, walkEtl, type LogfileHeader } from './etl-walk.ts';
import { NDIS_PACKET_CAPTURE_PROVIDER, ndisPackets } from './etl-ndis.ts';

export {
  looksLikeEtl,
  walkEtl,
  etlTimeToFiletime,
  filetimeToUnix,
  readGuid,
  EVENT_TRACE_COMPRESSED_MODE,
  BUFFER_FLAG_COMPRESSED,
} from './etl-walk.ts';
export type {
  EtlBufferHeader,
  EtlClock,
  EtlEvent,
  EtlEventCounts,
  EtlEventDescriptor,
  EtlExtendedItem,
  EtlHeaderKind,
  EtlWalk,
  LogfileHeader,
  WalkOptions,
} from './etl-walk.ts';
export { NDIS_PACKET_CAPTURE_PROVIDER, NdisKeyword, ndisPackets } from './etl-ndis.ts';

export interface EtlEventSummary {
  buffers: number;
  events: number;
  /** Events per header kind ('event-header', 'system', 'wpp', …). */
  byKind: Record<string, number>;
  /** Events per provider GUID (EVENT_HEADER) or class GUID (classic headers). */
  byProvider: Record<string, number>;
  /** NDIS-PacketCapture 1001 events (fragments), and what became of them. */
  packetEvents: number;
  fragmentedPackets: number;
  incompletePackets: number;
  orphanFragments: number;
  /** NDIS 1002 (802.11 metadata, counted only) and 1003 (Hyper-V switch fragments, decoded into frames). */
  metadataEvents: number;
  vmSwitchFragments: number;
  /** What the logfile header says Windows dropped while tracing. */
  eventsLost: number;
  buffersLost: number;
  loggerName?: string;
  logFileName?: string;
  /** Every problem met, in file order; `readEtl().error` is the first. */
  problems: CaptureError[];
}

export interface EtlRead {
  info: CaptureInfo;
  frames: CapturedFrame[];
  error?: CaptureError;
  events: EtlEventSummary;
}

function variantOf(header: LogfileHeader | undefined): string {
  if (!header) return 'ETL';
  const clock = header.clock === 'qpc' ? 'QPC' : header.clock === 'system-time' ? 'system time' : 'CPU cycles';
  const compressed = header.logFileMode & EVENT_TRACE_COMPRESSED_MODE ? ', compressed' : '';
  return `ETL (Windows ${header.majorVersion}.${header.minorVersion} build ${header.providerVersion}, ${header.is64Bit ? '64' : '32'}-bit, ${clock} clock${compressed})`;
}

/** Reads a whole .etl: never throws; the first problem (if any) is `error`, every packet found is in `frames`. */
export function readEtl(bytes: Uint8Array): EtlRead {
  // Only packet-capture events are kept; the rest are counted.
  const walk = walkEtl(bytes, { providers: [NDIS_PACKET_CAPTURE_PROVIDER] });
  const header = walk.header;
  const buffersMayBeMissing = walk.problems.length > 0 || (header?.buffersLost ?? 0) > 0;
  const packets = header ? ndisPackets(header, walk.events, buffersMayBeMissing) : undefined;
  const problems = [...walk.problems, ...(packets?.problems ?? [])].sort((a, b) => a.offset - b.offset);
  const events: EtlEventSummary = {
    buffers: walk.buffers.length,
    events: walk.counts.total,
    byKind: walk.counts.byKind,
    byProvider: walk.counts.byProvider,
    packetEvents: packets?.packetEvents ?? 0,
    fragmentedPackets: packets?.fragmentedPackets ?? 0,
    incompletePackets: packets?.incompletePackets ?? 0,
    orphanFragments: packets?.orphanFragments ?? 0,
    metadataEvents: packets?.metadataEvents ?? 0,
    vmSwitchFragments: packets?.vmSwitchFragments ?? 0,
    eventsLost: header?.eventsLost ?? 0,
    buffersLost: header?.buffersLost ?? 0,
    loggerName: header?.loggerName,
    logFileName: header?.logFileName,
    problems,
  };
  const comments: string[] = [];
  if (header?.loggerName) comments.push(`ETW session "${header.loggerName}"`);
  if (header && (header.eventsLost || header.buffersLost)) {
    comments.push(`Windows reports ${header.eventsLost} events and ${header.buffersLost} buffers lost while tracing`);
  }
  const result: EtlRead = {
    info: { format: 'etl', variant: variantOf(header), interfaces: packets?.interfaces ?? [], comments },
    frames: packets?.frames ?? [],
    events,
  };
  if (problems.length > 0) result.error = problems[0];
  return result;
}
