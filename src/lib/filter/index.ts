// Wireshark display filters: compileFilter(text) once, then run(capture) as often as needed.
//   lex (lexer.ts) → Pratt parse (parser.ts) → check + compile (compile.ts, literals.ts)
// Errors are values with a span and a hint; nothing here throws for bad input.
import { fieldList, fieldRegistry } from '../fields/registry.ts';
import type { FieldContext } from '../fields/types.ts';
import type { Capture } from '../packets.ts';
import { storeOf } from '../store/packet-store.ts';
import { Checker, type PredicateFactory } from './compile.ts';
import { FilterSyntaxError, type FilterError, type FilterWarning } from './errors.ts';
import { parseFilter } from './parser.ts';

export { formatFilterError, type FilterError, type FilterWarning, type FilterErrorKind } from './errors.ts';
export { fieldList, fieldRegistry };
export type { FieldDefinition, FieldKind } from '../fields/types.ts';

export interface CompiledFilter {
  /** The filter text as given. */
  readonly text: string;
  /** Valid filters that probably do not mean what they say (e.g. `tcp.port != 3389`). */
  readonly warnings: readonly FilterWarning[];
  /** Indices (into capture.packets) of the packets that match, ascending. */
  run(capture: Capture): Uint32Array;
  /** One predicate per capture, for callers that test packets one at a time. */
  predicate(capture: Capture): (index: number) => boolean;
}

export type CompileResult = { ok: true; filter: CompiledFilter } | { ok: false; error: FilterError };

/**
 * Per-capture data shared by every filter run on the same capture (the TCP analysis in
 * particular is computed once, on first use, not once per filter).
 */
const contexts = new WeakMap<Capture, FieldContext>();

export function fieldContext(capture: Capture): FieldContext {
  let context = contexts.get(capture);
  if (context === undefined) {
    const store = storeOf(capture);
    context = { capture, packets: capture.packets, store, fromDissection: store.dissectionsGiven, cache: new Map() };
    contexts.set(capture, context);
  }
  return context;
}

export function compileFilter(text: string): CompileResult {
  let factory: PredicateFactory;
  const checker = new Checker(text);
  try {
    const expr = parseFilter(text);
    factory = expr === undefined ? () => () => true : checker.check(expr);
  } catch (e) {
    if (e instanceof FilterSyntaxError) return { ok: false, error: e.error };
    if (e instanceof RangeError) {
      // Only reachable through pathological input (the parser bounds nesting); still a value.
      return {
        ok: false,
        error: { kind: 'syntax', message: 'The filter is too complex.', start: 0, end: text.length },
      };
    }
    throw e;
  }
  const filter: CompiledFilter = {
    text,
    warnings: checker.warnings,
    predicate: (capture) => factory(fieldContext(capture)),
    run(capture) {
      const test = factory(fieldContext(capture));
      const n = capture.packets.length;
      const matches = new Uint32Array(n);
      let count = 0;
      for (let i = 0; i < n; i++) if (test(i)) matches[count++] = i;
      return matches.slice(0, count);
    },
  };
  return { ok: true, filter };
}
