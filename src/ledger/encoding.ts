// Strict text encodings shared by the ledger's parsers (signed notes, checkpoints, receipts),
// byte helpers, and the hash abbreviations in its error messages. Environment-free: plain
// Uint8Array, atob/btoa and TextEncoder, which Node and browsers both have; it must never
// use Buffer or node:*. A parser must never accept two spellings of the same bytes: a
// lenient base64 decoder skips invalid characters, accepts the URL-safe alphabet and
// missing padding, so a tampered signature line or root hash could still decode.
// Everything here rejects instead.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 (RFC 4648 section 4) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/**
 * Decodes standard, padded base64 (RFC 4648 section 4), or returns undefined when `text`
 * is not the one canonical encoding of some byte string.
 */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !BASE64.test(text)) return undefined;
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i += 1) bytes[i] = bin.charCodeAt(i);
  // Non-zero bits in the last character's padding would decode to the same bytes.
  return toBase64(bytes) === text ? bytes : undefined;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** The bytes of exactly 64 lowercase hex digits, or undefined. */
export function fromHex32(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(text)) return undefined;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i += 1) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** True when `a` and `b` hold the same bytes. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** The bytes of `parts`, one after the other, in a new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Lowercase hex of the first 8 bytes and an ellipsis: enough to tell two hashes apart in a message. */
export function shortHex(bytes: Uint8Array): string {
  const hex = toHex(bytes.subarray(0, 9));
  return hex.length > 16 ? `${hex.slice(0, 16)}…` : hex;
}

/** Position of the first ASCII control character other than newline, or -1. */
export function indexOfControl(text: string): number {
  return text.search(/[\u0000-\u0009\u000b-\u001f]/);
}

/** True when `text` holds an unpaired UTF-16 surrogate, i.e. cannot be encoded as UTF-8. */
export function hasLoneSurrogate(text: string): boolean {
  return /\p{Cs}/u.test(text);
}
