// How each verdict looks: an icon and a word always, a colour as well (never colour alone).
export interface VerdictStyle {
  icon: string;
  word: string;
  tone: 'open' | 'closed' | 'filtered' | 'unknown';
}

export const verdictStyles: Record<string, VerdictStyle> = {
  connected: { icon: '✔', word: 'Connected — port open', tone: 'open' },
  'half-open': { icon: '◐', word: 'Half-open — port open, handshake not completed', tone: 'open' },
  refused: { icon: '✖', word: 'Refused — port closed', tone: 'closed' },
  'no-response': { icon: '⛔', word: 'No response — blocked (filtered)', tone: 'filtered' },
  unreachable: { icon: '⚠', word: 'Unreachable — rejected with ICMP', tone: 'filtered' },
  inconclusive: { icon: '?', word: 'Inconclusive — the capture is too short', tone: 'unknown' },
};

export const styleOf = (verdict: string): VerdictStyle => verdictStyles[verdict] ?? { icon: '•', word: verdict, tone: 'unknown' };
