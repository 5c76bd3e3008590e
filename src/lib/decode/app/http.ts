// HTTP/1.x (RFC 9112): the request or status line, Host, Content-Type, and whether the whole
// message (headers and, by Content-Length or chunked coding, body) is in this segment — tshark
// names the segment that completes a message, so a message cut short is Truncated here.
import { truncated } from '../bytes.ts';
import type { Truncated } from '../types.ts';
import type { HttpLayer } from './types.ts';

const METHODS = new Set([
  'GET',
  'POST',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  'PATCH',
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'COPY',
  'MOVE',
  'LOCK',
  'UNLOCK',
  'SEARCH',
  'NOTIFY',
  'SUBSCRIBE',
  'M-SEARCH',
]);

/** Longest first line and header block we look at before giving up on a segment. */
const MAX_LINE = 8192;

function lineEnd(bytes: Uint8Array, at: number, end: number): number {
  const stop = Math.min(end, at + MAX_LINE);
  for (let i = at; i + 1 < stop; i++) if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) return i;
  return -1;
}

const text = (bytes: Uint8Array, start: number, end: number): string => {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]);
  return out;
};

/** Whether [at, end) starts like an HTTP/1.x request or status line (for the heuristic on other ports). */
export function looksLikeHttp(bytes: Uint8Array, at: number, end: number): boolean {
  const stop = lineEnd(bytes, at, end);
  if (stop < 0) return false;
  const line = text(bytes, at, stop);
  if (/^HTTP\/1\.[01] \d{3}( |$)/.test(line)) return true;
  const space = line.indexOf(' ');
  return space > 0 && METHODS.has(line.slice(0, space)) && / HTTP\/1\.[01]$/.test(line);
}

/** Where a chunked body starting at `at` ends (after the last chunk and its trailers), or -1. */
function chunkedEnd(bytes: Uint8Array, at: number, end: number): number {
  for (;;) {
    const stop = lineEnd(bytes, at, end);
    if (stop < 0) return -1;
    const size = parseInt(text(bytes, at, stop).split(';')[0].trim(), 16);
    if (!Number.isFinite(size)) return -1;
    at = stop + 2;
    if (size === 0) break;
    at += size + 2;
    if (at > end) return -1;
  }
  // Trailer lines, then an empty line.
  for (;;) {
    const stop = lineEnd(bytes, at, end);
    if (stop < 0) return -1;
    if (stop === at) return at + 2;
    at = stop + 2;
  }
}

/**
 * An HTTP/1.x message starting at `offset`: undefined when it is not one, Truncated when its
 * headers, or the body they announce, go past `end` (a response without a length has a body to
 * the end of the connection; a request without one has none).
 */
export function decodeHttp(bytes: Uint8Array, offset: number, end: number): HttpLayer | Truncated | undefined {
  const firstEnd = lineEnd(bytes, offset, end);
  if (firstEnd < 0) return looksPartial(bytes, offset, end) ? truncated('http', offset, end - offset + 1) : undefined;
  const firstLine = text(bytes, offset, firstEnd);
  const layer: HttpLayer = { protocol: 'http', offset, length: 0, firstLine, headerEnd: 0 };
  const status = /^(HTTP\/1\.[01]) (\d{3})(?: (.*))?$/.exec(firstLine);
  if (status) layer.response = { version: status[1], code: Number(status[2]), phrase: status[3] ?? '' };
  else {
    const request = /^([A-Z-]+) (\S+) (HTTP\/1\.[01])$/.exec(firstLine);
    if (!request || !METHODS.has(request[1])) return undefined;
    layer.request = { method: request[1], uri: request[2], version: request[3] };
  }
  let contentLength: number | undefined;
  let chunked = false;
  let at = firstEnd + 2;
  for (;;) {
    const stop = lineEnd(bytes, at, end);
    if (stop < 0) return truncated('http', offset, end - offset + 1);
    if (stop === at) {
      at += 2;
      break;
    }
    const line = text(bytes, at, stop);
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'host') layer.host = value;
      else if (name === 'content-type') layer.contentType = value.split(';')[0].trim();
      else if (name === 'content-length' && /^\d+$/.test(value)) contentLength = Number(value);
      else if (name === 'transfer-encoding' && /chunked/i.test(value)) chunked = true;
    }
    at = stop + 2;
  }
  layer.headerEnd = at;
  let bodyEnd = at;
  if (chunked) {
    bodyEnd = chunkedEnd(bytes, at, end);
    if (bodyEnd < 0) return truncated('http', offset, end - offset + 1);
  } else if (contentLength !== undefined) {
    bodyEnd = at + contentLength;
    if (bodyEnd > end) return truncated('http', offset, bodyEnd - offset);
  } else if (layer.response && hasBodyToClose(layer.response.code)) {
    // No length: the body runs to the end of the connection (RFC 9112 6.3), which tshark waits for.
    return truncated('http', offset, end - offset + 1);
  }
  layer.length = bodyEnd - offset;
  layer.bodyLabel = bodyLabelOf(layer.contentType, bytes, at, bodyEnd);
  return layer;
}

/** The body's own dissector's name, for the media types whose dissector writes the Info column. */
function bodyLabelOf(
  contentType: string | undefined,
  bytes: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  if (contentType === undefined || end <= start) return undefined;
  const type = contentType.toLowerCase();
  if (type === 'image/png') return 'PNG';
  if (type === 'image/jpeg') return 'JPEG JFIF image';
  if (type === 'image/gif' && end - start >= 6) return text(bytes, start, start + 6);
  if (type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml')) return 'XML';
  return undefined;
}

const hasBodyToClose = (code: number): boolean => !(code < 200 || code === 204 || code === 304);

/** A segment that starts like a request or status line whose end is in a later segment. */
function looksPartial(bytes: Uint8Array, at: number, end: number): boolean {
  const head = text(bytes, at, Math.min(end, at + 16));
  if (head.startsWith('HTTP/1.')) return true;
  const space = head.indexOf(' ');
  return space > 0 && METHODS.has(head.slice(0, space));
}

/** "GET / HTTP/1.1 ", "HTTP/1.1 200 OK  (text/html)", "HTTP/1.1 200 OK  (PNG)", as tshark. */
export function httpInfo(http: HttpLayer): string {
  const label = http.bodyLabel === 'XML' ? undefined : (http.bodyLabel ?? http.contentType);
  return `${http.firstLine} ${label !== undefined ? ` (${label})` : ''}`;
}

/** "HTTP", or "HTTP/XML" when the body is XML, as tshark's Protocol column. */
export const httpProtocolName = (http: HttpLayer): string => (http.bodyLabel === 'XML' ? 'HTTP/XML' : 'HTTP');
