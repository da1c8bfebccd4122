// Strict text encodings shared by the ledger's parsers (signed notes, checkpoints), and the
// hash abbreviations in its error messages. A parser must never accept two spellings of the
// same bytes: Buffer.from(s, 'base64') silently skips invalid characters, accepts the
// URL-safe alphabet and missing padding, so a tampered signature line or root hash could
// still decode. Everything here rejects instead.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard, padded base64 (RFC 4648 section 4), or returns undefined when `text`
 * is not the one canonical encoding of some byte string.
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero bits in the last character's padding would decode to the same bytes.
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Lowercase hex of the first 8 bytes and an ellipsis: enough to tell two hashes apart in a message. */
export function shortHex(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
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
