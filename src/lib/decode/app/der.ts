// The few DER (ASN.1) reads Kerberos needs: one tag-length-value at a time, bounded by `end`.

export interface Tlv {
  /** The identifier byte (class, constructed bit, tag number < 31). */
  tag: number;
  /** Where the value starts and ends. */
  start: number;
  end: number;
}

/** The TLV at `at`, or undefined when it is cut short, uses a long tag, or runs past `end`. */
export function readTlv(bytes: Uint8Array, at: number, end: number): Tlv | undefined {
  if (at + 2 > end) return undefined;
  const tag = bytes[at];
  if ((tag & 0x1f) === 0x1f) return undefined;
  let length = bytes[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const size = length & 0x7f;
    if (size === 0 || size > 3 || start + size > end) return undefined;
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + bytes[start + i];
    start += size;
  }
  if (start + length > end) return undefined;
  return { tag, start, end: start + length };
}

/** The value of the context-specific [n] field inside a SEQUENCE's contents, or undefined. */
export function contextField(bytes: Uint8Array, start: number, end: number, n: number): Tlv | undefined {
  for (let at = start; at < end;) {
    const tlv = readTlv(bytes, at, end);
    if (tlv === undefined) return undefined;
    if (tlv.tag === (0xa0 | n)) return readTlv(bytes, tlv.start, tlv.end);
    at = tlv.end;
  }
  return undefined;
}

/** A DER INTEGER's value (up to 6 bytes, two's complement). */
export function derInteger(bytes: Uint8Array, tlv: Tlv): number | undefined {
  if (tlv.tag !== 0x02 || tlv.end === tlv.start || tlv.end - tlv.start > 6) return undefined;
  let value = bytes[tlv.start] & 0x80 ? -1 : 0;
  for (let i = tlv.start; i < tlv.end; i++) value = value * 256 + bytes[i];
  return value;
}

/** A DER string's value as Latin-1 text (GeneralString, IA5String, UTF8String…). */
export function derString(bytes: Uint8Array, tlv: Tlv): string {
  let text = '';
  for (let i = tlv.start; i < tlv.end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}
