// Counts with thousands separators ("1,238"), as toLocaleString('en') writes them, without it:
// the first toLocaleString of a process loads ICU's number formats, 16 ms of every CLI run
// that prints a count.

/** An integer with a comma every three digits; anything else as toLocaleString('en') has it. */
export function thousands(n: number | bigint): string {
  if (typeof n === 'number' && !Number.isSafeInteger(n)) return n.toLocaleString('en');
  const digits = String(n < 0 ? -n : n);
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let at = out.length; at < digits.length; at += 3) out += ',' + digits.slice(at, at + 3);
  return n < 0 ? '-' + out : out;
}
