// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, byte-compatible with Go's
// golang.org/x/mod/sumdb/note: the envelope in which the node publishes its checkpoints,
// so that Go's checksum-database tooling and the transparency-dev witnesses can check
// them. It must never hand back the text of a note that no trusted key has verified, never
// accept a note in which a trusted key's signature fails, and never sign text that could
// not be opened again (no final newline, control characters, unpaired surrogates).
// Environment-free (no node:*, no Buffer): keys are raw bytes and the Ed25519 check and
// SHA-256 are injected, as Go's note.Verifier carries its own Verify, so the browser opens
// notes with this same code. Node KeyObjects and signing live in src/nodeLedger/note.ts.
import { concatBytes, decodeBase64Strict, equalBytes, hasLoneSurrogate, indexOfControl, toBase64, utf8 } from './encoding.ts';
import type { Sha256 } from './hasher.ts';

/** Signature type byte of Ed25519 in key ids and verifier keys. */
export const ED25519_SIGNATURE_TYPE = 0x01;

/** Go's limit; the spec asks verifiers to accept at least 16. */
export const MAX_NOTE_SIGNATURES = 100;

export type NoteErrorCode =
  /** Not a signed note: bad UTF-8, control characters, no blank line, a malformed signature line. */
  | 'malformed-note'
  /** A verifier key string that does not parse, or whose key id does not match its key. */
  | 'malformed-key'
  /** A key name that is empty or holds a space or a plus sign. */
  | 'invalid-name'
  /** Text that cannot be signed: no final newline, control characters, unpaired surrogates. */
  | 'invalid-text'
  /** A key that is not an Ed25519 key of the kind needed. */
  | 'invalid-key'
  /** No signature in the note comes from a key the caller trusts. */
  | 'unknown-key'
  /** A trusted key's signature does not verify. */
  | 'bad-signature'
  /** Two trusted keys share a name and key id, so a signature cannot be attributed. */
  | 'ambiguous-key';

export class NoteError extends Error {
  override readonly name = 'NoteError';
  readonly code: NoteErrorCode;

  constructor(code: NoteErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** Checks an Ed25519 signature over a message with one public key (RFC 8032, strict). */
export type Ed25519Check = (message: Uint8Array, signature: Uint8Array) => boolean;

/** What opening notes needs from its environment: SHA-256 for key ids, and Ed25519 per public key. */
export interface NoteCrypto {
  readonly sha256: Sha256;
  /** A checker for the 32 raw bytes of an Ed25519 public key; throws NoteError('invalid-key') if they are not one. */
  ed25519(publicKey: Uint8Array): Ed25519Check;
}

/** A trusted key: what `parseVerifierKey` returns and `openNote` checks signatures with. */
export interface NoteVerifier {
  readonly name: string;
  /** First four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key), big-endian. */
  readonly keyId: number;
  /** The 32 raw bytes (RFC 8032) of the Ed25519 public key. */
  readonly publicKey: Uint8Array;
  readonly verify: Ed25519Check;
}

/** A signing key, as Go's note.Signer: its name, its key id, and a function that signs. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Uint8Array;
}

/** The C2SP key id of the Ed25519 key with raw bytes `rawPublicKey` under `name`. */
export function noteKeyId(name: string, rawPublicKey: Uint8Array, sha256: Sha256): number {
  checkName(name);
  checkRawKey(rawPublicKey);
  return keyIdOf(name, rawPublicKey, sha256);
}

/** `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`: the string verifiers are configured with. */
export function formatVerifierKey(name: string, rawPublicKey: Uint8Array, sha256: Sha256): string {
  checkName(name);
  checkRawKey(rawPublicKey);
  const keyData = toBase64(concatBytes(new Uint8Array([ED25519_SIGNATURE_TYPE]), rawPublicKey));
  return `${name}+${hex32(keyIdOf(name, rawPublicKey, sha256))}+${keyData}`;
}

/** Parses a verifier key string, checking that its key id is the one its name and key give. */
export function parseVerifierKey(text: string, crypto: NoteCrypto): NoteVerifier {
  if (typeof text !== 'string') throw new NoteError('malformed-key', 'verifier key is not a string');
  // The base64 key data may itself contain '+', so only the first two separate fields.
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) throw new NoteError('malformed-key', 'verifier key is not of the form <name>+<key id>+<key data>');
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  const data = text.slice(second + 1);
  if (!isValidName(name)) throw new NoteError('malformed-key', `verifier key name ${JSON.stringify(name)} is invalid`);
  if (!/^[0-9a-f]{8}$/.test(id)) {
    throw new NoteError('malformed-key', `verifier key id ${JSON.stringify(id)} is not 8 lowercase hex digits`);
  }
  const bytes = decodeBase64Strict(data);
  if (bytes === undefined || bytes.length === 0) {
    throw new NoteError('malformed-key', 'verifier key data is not standard padded base64');
  }
  if (bytes[0] !== ED25519_SIGNATURE_TYPE) {
    throw new NoteError(
      'malformed-key',
      `verifier key has signature type 0x${hex8(bytes[0] as number)}; only Ed25519 (0x01) is supported`,
    );
  }
  const raw = bytes.subarray(1);
  if (raw.length !== 32) throw new NoteError('malformed-key', `Ed25519 verifier key is ${raw.length} bytes, want 32`);
  const keyId = keyIdOf(name, raw, crypto.sha256);
  if (hex32(keyId) !== id) {
    throw new NoteError('malformed-key', `verifier key id ${id} does not match its name and key (computed ${hex32(keyId)})`);
  }
  return { name, keyId, publicKey: raw, verify: crypto.ed25519(raw) };
}

/** Signs `text` (which must end with a newline) and returns the whole note with one signature line. */
export function signNote(text: string, signer: NoteSigner): string {
  checkName(signer.name);
  checkText(text);
  const sig = signer.sign(utf8(text));
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, signer.keyId);
  return `${text}\n— ${signer.name} ${toBase64(concatBytes(id, sig))}\n`;
}

/** A note whose signatures were checked: its text, and the lines signed by trusted keys. */
export interface OpenedNote {
  readonly text: string;
  /** `<name>+<key id>` and the whole signature line, for each trusted key that signed. */
  readonly signedBy: readonly { readonly label: string; readonly line: string }[];
}

/** As `verifyNote`, returning only the text. */
export function openNote(note: string | Uint8Array, verifiers: NoteVerifier | readonly NoteVerifier[]): string {
  return verifyNote(note, verifiers).text;
}

/**
 * Checks the note's signatures against the trusted `verifiers` and returns its text.
 * Signatures by unknown keys are ignored; one by a trusted key that fails rejects the whole
 * note; a note with no signature by a trusted key is rejected.
 */
export function verifyNote(note: string | Uint8Array, verifiers: NoteVerifier | readonly NoteVerifier[]): OpenedNote {
  const message = decodeNote(note);
  const trusted = indexVerifiers(Array.isArray(verifiers) ? verifiers : [verifiers as NoteVerifier]);

  const control = indexOfControl(message);
  if (control >= 0) {
    const code = message.charCodeAt(control).toString(16).padStart(4, '0');
    throw new NoteError('malformed-note', `note holds control character U+${code.toUpperCase()} at offset ${control}`);
  }
  // The text ends at the last blank line: it may hold blank lines of its own.
  const split = message.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed-note', 'note has no blank line before its signatures');
  const text = message.slice(0, split + 1);
  const block = message.slice(split + 2);
  if (block === '') throw new NoteError('malformed-note', 'note has no signature lines');
  if (!block.endsWith('\n')) throw new NoteError('malformed-note', 'note does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) {
    throw new NoteError('malformed-note', `note has ${lines.length} signatures, more than ${MAX_NOTE_SIGNATURES}`);
  }

  const textBytes = utf8(text);
  const seen = new Set<string>();
  const signedBy: { label: string; line: string }[] = [];
  const unknown: string[] = [];
  for (const [i, line] of lines.entries()) {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith('— ')) throw new NoteError('malformed-note', `${where} does not start with "— "`);
    const rest = line.slice(2);
    const space = rest.indexOf(' ');
    if (space < 0) throw new NoteError('malformed-note', `${where} has no space between key name and signature`);
    const name = rest.slice(0, space);
    if (!isValidName(name)) throw new NoteError('malformed-note', `${where} has invalid key name ${JSON.stringify(name)}`);
    const blob = decodeBase64Strict(rest.slice(space + 1));
    if (blob === undefined) throw new NoteError('malformed-note', `${where} signature is not standard padded base64`);
    if (blob.length < 5) throw new NoteError('malformed-note', `${where} signature is ${blob.length} bytes, too short`);
    const keyId = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
    const label = `${name}+${hex32(keyId)}`;
    const verifier = trusted.get(label);
    if (verifier === undefined) {
      unknown.push(label);
      continue;
    }
    if (seen.has(label)) continue;
    seen.add(label);
    if (!verifier.verify(textBytes, blob.subarray(4))) {
      throw new NoteError('bad-signature', `signature by ${label} does not verify`);
    }
    signedBy.push({ label, line });
  }
  if (seen.size === 0) {
    const signedBy = unknown.length > 0 ? unknown.join(', ') : 'nobody';
    throw new NoteError(
      'unknown-key',
      `note has no signature by a trusted key (signed by ${signedBy}; trusted: ${[...trusted.keys()].join(', ') || 'none'})`,
    );
  }
  return { text, signedBy };
}

/** Valid C2SP key name: non-empty, no Unicode space (Go's unicode.IsSpace), no '+'. */
function isValidName(name: string): boolean {
  return name !== '' && !/[\s\u0085+]/u.test(name) && indexOfControl(name) < 0 && !hasLoneSurrogate(name);
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !isValidName(name)) {
    throw new NoteError('invalid-name', `key name ${JSON.stringify(name)} must be non-empty, without spaces or '+'`);
  }
}

function checkText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n')) {
    throw new NoteError('invalid-text', 'note text must end with a newline');
  }
  const control = indexOfControl(text);
  if (control >= 0) throw new NoteError('invalid-text', `note text holds a control character at offset ${control}`);
  if (hasLoneSurrogate(text)) throw new NoteError('invalid-text', 'note text holds an unpaired surrogate (not UTF-8)');
}

function checkRawKey(raw: Uint8Array): void {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) {
    const got = raw instanceof Uint8Array ? `${raw.length} bytes` : typeof raw;
    throw new NoteError('invalid-key', `Ed25519 public key is ${got}, want 32 bytes`);
  }
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') {
    if (hasLoneSurrogate(note)) throw new NoteError('malformed-note', 'note holds an unpaired surrogate (not UTF-8)');
    return note;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw new NoteError('malformed-note', 'note is not valid UTF-8');
  }
}

function indexVerifiers(list: readonly NoteVerifier[]): Map<string, NoteVerifier> {
  const byLabel = new Map<string, NoteVerifier>();
  for (const v of list) {
    const label = `${v.name}+${hex32(v.keyId)}`;
    const prior = byLabel.get(label);
    if (prior !== undefined && !equalBytes(prior.publicKey, v.publicKey)) {
      throw new NoteError('ambiguous-key', `two trusted keys are both named ${label}`);
    }
    byLabel.set(label, v);
  }
  return byLabel;
}

function keyIdOf(name: string, rawPublicKey: Uint8Array, sha256: Sha256): number {
  const digest = sha256(concatBytes(utf8(name), new Uint8Array([0x0a, ED25519_SIGNATURE_TYPE]), rawPublicKey));
  return new DataView(digest.buffer, digest.byteOffset, digest.byteLength).getUint32(0);
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function hex8(n: number): string {
  return n.toString(16).padStart(2, '0');
}
