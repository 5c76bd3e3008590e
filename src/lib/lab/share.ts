// Share links: a small capture travels inside the URL fragment (`#capture=v1.<base64url>`).
// Browsers never send the fragment to the server, so the capture stays between the two people
// who hold the link. The bytes are deflated with CompressionStream (in every current browser, a
// Worker and Node 22) and written as base64url, which needs no escaping in a URL.
//
// Decoding treats the fragment as hostile: it checks the length before allocating, rejects any
// character outside the base64url alphabet, and stops decompressing past a fixed ceiling so a
// few kilobytes of crafted deflate cannot expand into gigabytes (a "zip bomb").

/** The fragment's key and format version; a future format gets v2 and v1 links keep working. */
export const SHARE_KEY = 'capture';
/** A pair's link carries the server's capture under this key beside the client's `capture=`. */
export const SHARE_SERVER_KEY = 'server';
export const SHARE_VERSION = 'v1';

/** Compressed bytes a link may carry: URLs of ~90 000 characters still open in Chromium and Firefox. */
export const SHARE_LIMIT_BYTES = 64 * 1024;

/** The most a link may expand to: far above any capture that compresses under the limit honestly. */
export const MAX_SHARED_CAPTURE_BYTES = 16 * 1024 * 1024;

const COMPRESSION: CompressionFormat = 'deflate-raw';

export type ShareErrorKind =
  | 'too-large' // the capture does not fit in a link after compression
  | 'not-a-share-link' // no `capture=` in the fragment
  | 'unsupported-version' // `capture=v9.…`
  | 'bad-base64' // a character outside base64url, or an impossible length
  | 'bad-compressed-data' // not deflate data, or cut short
  | 'too-large-decompressed'; // expands past MAX_SHARED_CAPTURE_BYTES

/** Every failure of encoding or decoding a share link; nothing else is ever thrown. */
export class ShareError extends Error {
  readonly kind: ShareErrorKind;
  /** Character position in the base64url text, for 'bad-base64'. */
  readonly position?: number;
  constructor(kind: ShareErrorKind, message: string, position?: number) {
    super(message);
    this.name = 'ShareError';
    this.kind = kind;
    this.position = position;
  }
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Character code → 6-bit value, or -1 for characters outside base64url. */
const BASE64URL_VALUES: Int8Array = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE64URL_ALPHABET.length; i++) values[BASE64URL_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

/** base64url without padding (RFC 4648 §5), as URL fragments carry it. */
export function toBase64Url(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    chunk +=
      BASE64URL_ALPHABET[n >> 18] +
      BASE64URL_ALPHABET[(n >> 12) & 63] +
      BASE64URL_ALPHABET[(n >> 6) & 63] +
      BASE64URL_ALPHABET[n & 63];
    // Joining pieces keeps string building linear for large inputs.
    if (chunk.length >= 8192) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    chunk += BASE64URL_ALPHABET[n >> 18] + BASE64URL_ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    chunk += BASE64URL_ALPHABET[n >> 18] + BASE64URL_ALPHABET[(n >> 12) & 63] + BASE64URL_ALPHABET[(n >> 6) & 63];
  }
  parts.push(chunk);
  return parts.join('');
}

/** The inverse of toBase64Url; throws ShareError('bad-base64') naming the first bad character. */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1) {
    throw new ShareError(
      'bad-base64',
      `bad base64url: a length of ${text.length} characters cannot be complete bytes`,
      text.length,
    );
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let written = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64URL_VALUES[code] : -1;
    if (value < 0) {
      const shown = JSON.stringify(text[i]);
      throw new ShareError('bad-base64', `bad base64url: character ${shown} at position ${i} is not allowed`, i);
    }
    bits = ((bits << 6) | value) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[written++] = (bits >> bitCount) & 0xff;
    }
  }
  return out.subarray(0, written);
}

/** Runs bytes through a (de)compression stream, stopping with 'too-large-decompressed' past `limit`. */
async function transform(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
  limit: number,
): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const reader = source.pipeThrough(stream as unknown as ReadableWritablePair<Uint8Array, Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ShareError(
        'too-large-decompressed',
        `the shared capture expands past ${formatKb(limit)}, the most a link may hold; it was not opened`,
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

const formatKb = (bytes: number): string =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.ceil(bytes / 1024)} KB`;

/**
 * The capture as a URL fragment, `#capture=v1.<base64url of deflate-raw>`. Rejects with
 * ShareError('too-large') when the compressed bytes exceed SHARE_LIMIT_BYTES.
 */
export async function encodeShareFragment(bytes: Uint8Array): Promise<string> {
  if (bytes.length > MAX_SHARED_CAPTURE_BYTES) {
    throw new ShareError(
      'too-large',
      `too large to share in a link: ${formatKb(bytes.length)} before compression, a link holds at most ${formatKb(MAX_SHARED_CAPTURE_BYTES)}`,
    );
  }
  // Compressing our own bytes cannot overflow the ceiling meaningfully; the limit is the input's.
  const compressed = await transform(bytes, new CompressionStream(COMPRESSION), Number.MAX_SAFE_INTEGER);
  if (compressed.length > SHARE_LIMIT_BYTES) {
    throw new ShareError(
      'too-large',
      `too large to share in a link: ${Math.ceil(compressed.length / 1024)} KB after compression, the limit is ${SHARE_LIMIT_BYTES / 1024} KB`,
    );
  }
  return `#${SHARE_KEY}=${SHARE_VERSION}.${toBase64Url(compressed)}`;
}

/** base64url characters needed for SHARE_LIMIT_BYTES: longer text is rejected before decoding. */
const MAX_ENCODED_LENGTH = Math.ceil((SHARE_LIMIT_BYTES * 4) / 3);

/** True when a fragment carries a capture: `capture=…` as any of its `&`-separated parameters. */
export function hasSharedCapture(fragment: string): boolean {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  return text.split('&').some((part) => part.startsWith(`${SHARE_KEY}=`));
}

/**
 * Finds `capture=…` in a fragment (with or without the leading '#', possibly among other
 * `&`-separated parameters) and returns the capture's bytes. Rejects only with ShareError.
 */
export async function decodeShareFragment(fragment: string, key: string = SHARE_KEY): Promise<Uint8Array> {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  const param = text.split('&').find((part) => part.startsWith(`${key}=`));
  if (param === undefined)
    throw new ShareError('not-a-share-link', 'this link holds no capture (no "capture=" after the #)');
  const value = param.slice(key.length + 1);
  const dot = value.indexOf('.');
  const version = dot < 0 ? '' : value.slice(0, dot);
  if (version !== SHARE_VERSION) {
    const shown = version === '' ? 'no version' : `version "${version.slice(0, 16)}"`;
    throw new ShareError(
      'unsupported-version',
      `this link's capture has ${shown}; this site reads ${SHARE_VERSION} links`,
    );
  }
  const encoded = value.slice(dot + 1);
  if (encoded.length > MAX_ENCODED_LENGTH) {
    throw new ShareError(
      'too-large',
      `this link's capture is ${Math.ceil((encoded.length * 3) / 4 / 1024)} KB compressed, more than the ${SHARE_LIMIT_BYTES / 1024} KB a link may hold`,
    );
  }
  if (encoded.length === 0) throw new ShareError('bad-compressed-data', "this link's capture is empty");
  const compressed = fromBase64Url(encoded);
  try {
    return await transform(compressed, new DecompressionStream(COMPRESSION), MAX_SHARED_CAPTURE_BYTES);
  } catch (error) {
    if (error instanceof ShareError) throw error;
    // DecompressionStream reports corrupt or cut-short data as a TypeError with engine-specific text.
    throw new ShareError(
      'bad-compressed-data',
      "this link's capture is damaged (the compressed data does not decode); was the link cut short?",
    );
  }
}
