// How each verdict looks: an icon (VerdictIcon.svelte) and a word always, a colour as well
// (never colour alone).
export interface VerdictStyle {
  word: string;
  tone: 'open' | 'closed' | 'filtered' | 'unknown';
}

export const verdictStyles: Record<string, VerdictStyle> = {
  connected: { word: 'Connected — port open', tone: 'open' },
  'half-open': { word: 'Half-open — port open, handshake not completed', tone: 'open' },
  refused: { word: 'Refused — port closed', tone: 'closed' },
  'no-response': { word: 'No response — blocked (filtered)', tone: 'filtered' },
  unreachable: { word: 'Unreachable — rejected with ICMP', tone: 'filtered' },
  inconclusive: { word: 'Inconclusive — the capture is too short', tone: 'unknown' },
};

export const styleOf = (verdict: string): VerdictStyle => verdictStyles[verdict] ?? { word: verdict, tone: 'unknown' };
