// The classifier's API: find attempts, say what happened to each, and compare two sides.
//   analyzeCapture(capture)            → verdicts for every attempt + capture-wide findings
//   compareCaptures(client, server)    → the same, matched across the two files, with `where`
//   findAttempts / classify            → the pieces, for widgets that show one step at a time
export { analyzeCapture, captureSpan } from './analyze.ts';
export { findAttempts, isDestinationUnreachable } from './attempts.ts';
export { classify, history, partsOf, zeekConnState } from './classify.ts';
export { compareCaptures } from './compare.ts';
export { explain, hostPort, icmpName, stateLine } from './evidence.ts';
export { addHostDropEvidence, matchFirewallLog, pktmonDropEvidence } from './drops.ts';
export type { FirewallMatch, FirewallMatchOptions, HostDropOptions } from './drops.ts';
export { findOffload } from './offload.ts';
export { analyzeTcpStreams, TcpAnalysisFlag } from './tcp-streams.ts';
export type { TcpStreams, TcpStreamInfo } from './tcp-streams.ts';
export { formatSeconds, retryTiming, MIN_INITIAL_RTO } from './timing.ts';
export type * from './types.ts';
