// netsh trace / ETW .etl files: the entry points the capture readers call.
//   looksLikeEtl(head)  — sniffing, from the first bytes
//   readEtl(bytes)      — frames (NDIS-PacketCapture packets) + interfaces + an event summary
//   walkEtl(bytes)      — every buffer and event, for tools and tests
// ETL needs the whole file at once: buffers are written per CPU and only sorting all of them by
// time gives the packets in order.
import type { CaptureError, CaptureInfo, CapturedFrame } from './types.ts';
import { EVENT_TRACE_COMPRESSED_MODE, walkEtl, type LogfileHeader } from './etl-walk.ts';
import { NDIS_PACKET_CAPTURE_PROVIDER, ndisPackets } from './etl-ndis.ts';
import { PKTMON_PROVIDER, pktmonPackets } from './etl-pktmon.ts';
import { thousands } from '../describe/thousands.ts';

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
export { PKTMON_PROVIDER, pktmonPackets } from './etl-pktmon.ts';

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
  /** PktMon frame (160) and drop (170) events, and later appearances folded into earlier frames. */
  pktmonFrameEvents: number;
  pktmonDropEvents: number;
  pktmonRepeatedAppearances: number;
  /** Loopback packets pktmon logged twice under different packet ids, counted once. */
  pktmonLoopbackCopies: number;
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
  const walk = walkEtl(bytes, { providers: [NDIS_PACKET_CAPTURE_PROVIDER, PKTMON_PROVIDER] });
  const header = walk.header;
  const buffersMayBeMissing = walk.problems.length > 0 || (header?.buffersLost ?? 0) > 0;
  const packets = header ? ndisPackets(header, walk.events, buffersMayBeMissing) : undefined;
  const pktmon = header ? pktmonPackets(header, walk.events) : undefined;
  const problems = [...walk.problems, ...(packets?.problems ?? []), ...(pktmon?.problems ?? [])].sort(
    (a, b) => a.offset - b.offset,
  );
  const { frames, interfaces } = mergePacketSources(packets, pktmon);
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
    pktmonFrameEvents: pktmon?.frameEvents ?? 0,
    pktmonDropEvents: pktmon?.dropEvents ?? 0,
    pktmonRepeatedAppearances: pktmon?.repeatedAppearances ?? 0,
    pktmonLoopbackCopies: pktmon?.loopbackCopies ?? 0,
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
  const pktmonEvents = walk.counts.byProvider[PKTMON_PROVIDER] ?? 0;
  if (header && frames.length === 0 && problems.length === 0 && pktmonEvents > 0) {
    comments.push(
      `This pktmon trace holds component events (${thousands(pktmonEvents)}) but no packets: pktmon ran without --capture. Record packets with "pktmon start --capture --comp nics --pkt-size 0", reproduce the problem, then "pktmon stop" (the trace is PktMon.etl in the current directory).`,
    );
  } else if (header && frames.length === 0 && problems.length === 0) {
    comments.push(
      'This trace holds no packet events (Microsoft-Windows-NDIS-PacketCapture or PktMon): record with "netsh trace start capture=yes" or "pktmon start --capture".',
    );
  }
  const result: EtlRead = {
    info: { format: 'etl', variant: variantOf(header), interfaces, comments },
    frames,
    events,
  };
  if (problems.length > 0) result.error = problems[0];
  return result;
}

/**
 * A trace normally holds one kind of packet events; should it hold both (netsh and pktmon ran
 * together), their frames are merged by time and renumbered, PktMon's interfaces after NDIS's.
 */
function mergePacketSources(
  ndis: { frames: CapturedFrame[]; interfaces: CaptureInfo['interfaces'] } | undefined,
  pktmon: { frames: CapturedFrame[]; interfaces: CaptureInfo['interfaces'] } | undefined,
): { frames: CapturedFrame[]; interfaces: CaptureInfo['interfaces'] } {
  if (!pktmon || pktmon.frames.length === 0) return { frames: ndis?.frames ?? [], interfaces: ndis?.interfaces ?? [] };
  if (!ndis || ndis.frames.length === 0) return { frames: pktmon.frames, interfaces: pktmon.interfaces };
  const shift = ndis.interfaces.length;
  const interfaces = [...ndis.interfaces, ...pktmon.interfaces.map((i) => ({ ...i, id: i.id + shift }))];
  const later = (a: CapturedFrame, b: CapturedFrame) =>
    a.seconds > b.seconds || (a.seconds === b.seconds && a.nanoseconds > b.nanoseconds);
  const frames: CapturedFrame[] = [];
  let i = 0;
  let j = 0;
  while (i < ndis.frames.length || j < pktmon.frames.length) {
    const takeNdis = j >= pktmon.frames.length || (i < ndis.frames.length && !later(ndis.frames[i], pktmon.frames[j]));
    const frame = takeNdis
      ? ndis.frames[i++]
      : { ...pktmon.frames[j++], interfaceId: pktmon.frames[j - 1].interfaceId + shift };
    frames.push({ ...frame, number: frames.length + 1 });
  }
  return { frames, interfaces };
}
