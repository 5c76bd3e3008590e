// The classifier's API: find attempts, say what happened to each, and compare two sides.
//   analyzeCapture(capture)            → verdicts for every attempt + capture-wide findings
//   compareCaptures(client, server)    → the same, matched across the two files, with `where`
//   judgeCapture(capture)              → the same as columns, each verdict made when read (any size)
//   findAttempts / classify            → the pieces, for widgets that show one step at a time
//   explain(verdict)                   → the words: headline, evidence, caveats (judge, then explain)
export { analyzeCapture, captureSpan, judgeCapture, type AttemptKind, type JudgedCapture } from './analyze.ts';
export { AttemptTable } from './attempt-table.ts';
export {
  attemptTable,
  findAttempts,
  isDestinationUnreachable,
  MAX_SYNS_PER_ATTEMPT,
  REORDER_SLACK_S,
  RETRANSMISSION_WINDOW_S,
} from './attempts.ts';
export { classify, history, zeekConnState } from './classify.ts';
export { partsOf, type AttemptParts } from './parts.ts';
export { compareCaptures, type CompareOptions } from './compare.ts';
export { explain, hostPort, icmpName, stateLine } from './evidence.ts';
export * from './vocabulary.ts';
export { hostDrops, isFirewallFinding, matchFirewallLog, pktmonDrops } from './drops.ts';
export type { FirewallMatch, FirewallMatchOptions, HostDropOptions } from './drops.ts';
export { findOffload } from './offload.ts';
export { analyzeTcpStreams, tcpKeysOf, tcpStreamsOf, TcpAnalysisFlag } from './tcp-streams.ts';
export type { TcpKeys, TcpStreams, TcpStreamInfo, TcpStreamList } from './tcp-streams.ts';
export { formatSeconds, retryTiming, MIN_INITIAL_RTO } from './timing.ts';
export type * from './types.ts';
export { attemptJson, type AttemptJson, type AttemptPacketJson } from './attempt-json.ts';
export { zeekConnections, zeekConnectionsOf, zeekOfAttempt, ZEEK_LIKELY_SERVER_PORTS } from './zeek.ts';
export type { ZeekConnection, ZeekCaptureConnection, ZeekConnState, ZeekSegment } from './zeek.ts';
export { toolNamesTable } from './tool-names.ts';
export type { ToolNamesRow } from './tool-names.ts';
