// The headers for bytes that people supplied and the node serves back (contribution
// content, model and adapter files). Whatever the bytes hold, a browser that opens their
// URL must never run them as a page of this origin: the type is a fixed, non-HTML one,
// nosniff forbids guessing another, Content-Disposition makes it a download, and a
// sandboxing CSP with no sources would disarm the response even if it were rendered.
// This module must never derive a Content-Type from the bytes or pass a client-supplied
// type through unchecked.
import type { FastifyReply } from 'fastify';

/** The text types a contribution may be served as (src/datanets/fileNames.ts); anything else is octet-stream. */
const TEXT_TYPES = new Set(['text/plain', 'text/markdown', 'text/csv', 'application/jsonl']);

/** `mediaType` if it is one of the contribution text types (with charset=utf-8), else application/octet-stream. */
export function userContentType(mediaType: string): string {
  return TEXT_TYPES.has(mediaType) ? `${mediaType}; charset=utf-8` : 'application/octet-stream';
}

// RFC 5987 ext-value: attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else is %XX of its UTF-8.
const attrChar = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * `attachment; filename="…"; filename*=UTF-8''…` for `name`: the quoted form keeps only
 * ASCII letters, digits, space and `._-()` (others become `_`), for old clients; the
 * extended form carries the exact name, percent-encoded, for every current browser.
 */
export function attachment(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9 ._\-()]/g, '_').slice(0, 200) || 'download';
  let ext = '';
  for (const b of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(b);
    ext += b < 0x80 && attrChar.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `attachment; filename="${plain}"; filename*=UTF-8''${ext}`;
}

/**
 * Sets the headers for user-supplied bytes on `reply` and returns it: type, nosniff (also
 * set by securityHeaders.ts; repeated so these routes stay safe on their own), download
 * as `fileName`, and a CSP that sandboxes the response and loads nothing.
 */
export function asUserBytes(reply: FastifyReply, type: string, fileName: string): FastifyReply {
  return reply
    .type(type)
    .header('x-content-type-options', 'nosniff')
    .header('content-disposition', attachment(fileName))
    .header('content-security-policy', "default-src 'none'; sandbox; frame-ancestors 'none'");
}
