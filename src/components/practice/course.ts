// What the course contains, counted when the site is built: its lessons in curriculum order and
// the filter challenges in each, identified as FilterChallenge identifies them for progress.
import { getCollection } from 'astro:content';
import { challengeId } from '../../lib/practice/progress.ts';

export interface Course {
  lessons: string[];
  challenges: Record<string, string[]>;
}

/** The value of one attribute written as name="…" or name='…' in a component tag. */
function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag);
  return match ? (match[1] ?? match[2]) : undefined;
}

export async function course(): Promise<Course> {
  const entries = (await getCollection('docs', (entry) => entry.data.lesson !== undefined)).sort(
    (a, b) => (a.data.sidebar.order ?? 0) - (b.data.sidebar.order ?? 0),
  );
  const challenges: Record<string, string[]> = {};
  for (const entry of entries) {
    const ids: string[] = [];
    for (const match of (entry.body ?? '').matchAll(/<FilterChallenge\b([\s\S]*?)\/>/g)) {
      const trace = attribute(match[1]!, 'trace');
      const answer = attribute(match[1]!, 'answer');
      if (trace !== undefined && answer !== undefined) ids.push(challengeId(trace, answer));
    }
    if (ids.length) challenges[entry.id] = ids;
  }
  return { lessons: entries.map((entry) => entry.id), challenges };
}
