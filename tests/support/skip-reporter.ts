// Lists, after a run, why tests were skipped: every skip made by tests/support/corpus.ts carries
// its reason in the test's name ("[skipped: …]"), and vitest's default report only counts skips.
import type { Reporter, TestModule } from 'vitest/node';

export default class SkipReasons implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, { tests: number; files: Set<string> }>();
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const reason = /\[skipped: ([^\]]+)\]/.exec(test.fullName)?.[1] ?? 'no reason given (it.skip / todo)';
        const entry = byReason.get(reason) ?? { tests: 0, files: new Set<string>() };
        entry.tests++;
        entry.files.add(module.relativeModuleId);
        byReason.set(reason, entry);
      }
    }
    if (byReason.size === 0) return;
    const lines = ['', 'Skipped tests, by reason:'];
    for (const [reason, { tests, files }] of byReason)
      lines.push(`  ${tests} skipped: ${reason}`, `      in ${[...files].sort().join(', ')}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}
