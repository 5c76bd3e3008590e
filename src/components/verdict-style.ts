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
