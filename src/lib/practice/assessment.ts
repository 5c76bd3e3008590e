// The end-of-course assessment: ten exercises at fixed seeds, the same for every learner, so a
// score means the same thing for all. Every pattern of the course comes up at least once, the
// later ones at the higher levels (IPv6, other attempts, sometimes one side only).
import type { ExerciseRequest } from './scenario.ts';

export const ASSESSMENT: readonly Required<ExerciseRequest>[] = [
  { seed: 180_301, level: 1, pattern: 'open' },
  { seed: 180_302, level: 2, pattern: 'host-firewall-drop' },
  { seed: 180_303, level: 2, pattern: 'closed-rst' },
  { seed: 180_304, level: 3, pattern: 'path-drop' },
  { seed: 180_305, level: 3, pattern: 'icmp-prohibited' },
  { seed: 180_306, level: 3, pattern: 'return-path-drop' },
  { seed: 180_307, level: 3, pattern: 'reject-reset' },
  { seed: 180_308, level: 4, pattern: 'closed-behind-firewall' },
  { seed: 180_309, level: 4, pattern: 'return-path-drop' },
  { seed: 180_310, level: 4, pattern: 'host-firewall-drop' },
];
