// The practice vocabulary: the course's wire patterns and the difficulty levels. Kept apart from
// the generator so that what every page loads (the progress in the sidebar) stays small.

/** The wire patterns the course teaches, each a way a connection attempt can end. */
export const PATTERNS = [
  'host-firewall-drop',
  'closed-rst',
  'closed-behind-firewall',
  'open',
  'icmp-prohibited',
  'reject-reset',
  'path-drop',
  'return-path-drop',
] as const;
export type Pattern = (typeof PATTERNS)[number];

export const PATTERN_TITLES: Record<Pattern, string> = {
  'host-firewall-drop': "blocked by the server's host firewall",
  'closed-rst': 'nothing listening: the server resets',
  'closed-behind-firewall': 'nothing listening behind a dropping firewall',
  open: 'open: the handshake completes',
  'icmp-prohibited': 'rejected with ICMP unreachable',
  'reject-reset': 'firewall REJECT with a TCP reset',
  'path-drop': 'dropped on the path',
  'return-path-drop': 'answer dropped on the return path',
};

export const LEVELS = [1, 2, 3, 4] as const;
export type Level = (typeof LEVELS)[number];

/** Patterns each level draws from: the basic three first, the two-sided subtleties later. */
const LEVEL_PATTERNS: Record<Level, readonly Pattern[]> = {
  1: ['host-firewall-drop', 'closed-rst', 'open'],
  2: ['host-firewall-drop', 'closed-rst', 'open', 'path-drop', 'return-path-drop', 'reject-reset', 'icmp-prohibited'],
  3: PATTERNS,
  4: PATTERNS,
};

export function patternsAt(level: Level): readonly Pattern[] {
  return LEVEL_PATTERNS[level];
}

export function isPattern(text: string): text is Pattern {
  return (PATTERNS as readonly string[]).includes(text);
}

export function isLevel(value: number): value is Level {
  return (LEVELS as readonly number[]).includes(value);
}
