// How each verdict looks: an icon (VerdictIcon.svelte) and a word always, a colour as well
// (never colour alone). One entry per verdict of the vocabulary: a verdict added, removed or
// renamed there is a compile error here.
import type { NmapState, Verdict } from '../lib/analysis/vocabulary.ts';

export interface VerdictStyle {
  word: string;
  /** The colour, named after the nmap state it stands for. */
  tone: NmapState;
  icon: 'check' | 'half' | 'cross' | 'slash' | 'warning' | 'question';
}

export const verdictStyles: Record<Verdict, VerdictStyle> = {
  connected: { word: 'Connected — port open', tone: 'open', icon: 'check' },
  'half-open': { word: 'Half-open — port open, handshake not completed', tone: 'open', icon: 'half' },
  refused: { word: 'Refused — port closed', tone: 'closed', icon: 'cross' },
  'no-response': { word: 'No response — blocked (filtered)', tone: 'filtered', icon: 'slash' },
  unreachable: { word: 'Unreachable — rejected with ICMP', tone: 'filtered', icon: 'warning' },
  inconclusive: { word: 'Inconclusive — the capture is too short', tone: 'unknown', icon: 'question' },
};

export const styleOf = (verdict: Verdict): VerdictStyle => verdictStyles[verdict];

/**
 * What a capture would show if a verdict were true: the Predict question's reply to a wrong
 * guess, which says why it does not fit without giving the answer away.
 */
export const looksLike: Record<Verdict, string> = {
  connected:
    'A connection would show the server answering the SYN with a SYN/ACK (both flags set, Ack = the SYN’s Seq + 1), then the client’s ACK.',
  'half-open': 'A half-open attempt would show a SYN/ACK from the server that the client never completed with its ACK.',
  refused: 'A refusal would show a reset from the server ([RST, ACK]) answering the SYN, within a round trip.',
  'no-response':
    'No response would show only the client’s SYNs, the same Seq re-sent at growing intervals, and nothing back from the server.',
  unreachable:
    'An unreachable port would show an ICMP “destination unreachable” message that quotes the SYN, from the server or a router.',
  inconclusive: 'Inconclusive would mean the capture stops too soon after the SYN to tell (under a second).',
};
