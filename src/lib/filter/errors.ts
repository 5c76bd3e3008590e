// A filter error says what is wrong and where: `start`/`end` are character offsets into the
// filter text (end exclusive), so the UI can underline it and the CLI can draw `^~~~` under it,
// as tshark 4.0 does.

export type FilterErrorKind =
  | 'syntax' // a token that cannot come here, or the filter stops too early
  | 'unknown-field' // a name that is neither a field nor a protocol
  | 'type' // a value or operator that does not fit the field's type
  | 'range'; // a number outside what the field can hold

export interface FilterError {
  kind: FilterErrorKind;
  /** One sentence, in tshark's wording where tshark has one. */
  message: string;
  start: number;
  end: number;
  /** What the user probably meant, in words a Wireshark or Network Monitor user knows. */
  hint?: string;
}

/** A valid filter that probably does not do what its author thinks (e.g. != on tcp.port). */
export interface FilterWarning {
  message: string;
  start: number;
  end: number;
}

export class FilterSyntaxError extends Error {
  readonly error: FilterError;
  constructor(error: FilterError) {
    super(error.message);
    this.name = 'FilterSyntaxError';
    this.error = error;
  }
}

export function filterError(
  kind: FilterErrorKind,
  message: string,
  start: number,
  end: number,
  hint?: string,
): FilterSyntaxError {
  return new FilterSyntaxError(
    hint === undefined ? { kind, message, start, end } : { kind, message, start, end, hint },
  );
}

/**
 * The message, the filter indented by four spaces and a `^~~~` line under the span, then the
 * hint — tshark's layout. An error at the end of the filter (nothing to underline) gets a
 * single `^` just past the last character, where tshark prints no marker at all.
 */
export function formatFilterError(
  filter: string,
  error: Pick<FilterError, 'message' | 'start' | 'end' | 'hint'>,
): string {
  // Tabs and newlines in the filter would shift the marker: show them as spaces.
  const shown = filter.replace(/[\t\r\n]/g, ' ');
  const start = Math.max(0, Math.min(error.start, shown.length));
  const width = Math.max(1, Math.min(error.end, shown.length) - start);
  const lines = [error.message, `    ${shown}`, `    ${' '.repeat(start)}^${'~'.repeat(width - 1)}`];
  if (error.hint !== undefined) lines.push(error.hint);
  return lines.join('\n') + '\n';
}
