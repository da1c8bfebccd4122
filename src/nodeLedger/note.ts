// Signed notes on the node: src/ledger/note.ts with node:crypto KeyObjects, for signing the
// node's checkpoints and for opening notes with OpenSSL's Ed25519. Only adapts keys; the
// note format and every rule live in src/ledger/note.ts. It must never hand a private key
// to anything but `sign`.
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import * as note from '../ledger/note.ts';
import { NoteError } from '../ledger/note.ts';
import { ed25519PublicKeyFromRaw, nodeCrypto } from './crypto.ts';

export {
  ED25519_SIGNATURE_TYPE,
  MAX_NOTE_SIGNATURES,
  NoteError,
  type NoteErrorCode,
  type NoteVerifier,
  openNote,
  verifyNote,
} from '../ledger/note.ts';
export { ed25519PublicKeyFromRaw } from './crypto.ts';

/** The 32 raw bytes (RFC 8032) of an Ed25519 public key; a private key yields its public half. */
export function ed25519RawPublicKey(key: KeyObject): Buffer {
  checkEd25519(key);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  return Buffer.from(jwk.x as string, 'base64url');
}

/** The Ed25519 private KeyObject for a 32-byte RFC 8032 seed (the form Go's note keys store). */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new NoteError('invalid-key', `Ed25519 seed is ${seed.length} bytes, want 32`);
  // PKCS#8 wrapping of an Ed25519 seed: a fixed 16-byte prefix, then the seed.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** The C2SP key id of an Ed25519 key under `name`. */
export function noteKeyId(name: string, publicKey: KeyObject): number {
  return note.noteKeyId(name, ed25519RawPublicKey(publicKey), nodeCrypto.note.sha256);
}

/** `<name>+<8 hex key id>+<base64(0x01 ‖ public key)>`: the string verifiers are configured with. */
export function formatVerifierKey(name: string, publicKey: KeyObject): string {
  return note.formatVerifierKey(name, ed25519RawPublicKey(publicKey), nodeCrypto.note.sha256);
}

/** Parses a verifier key string, checking that its key id is the one its name and key give. */
export function parseVerifierKey(text: string): note.NoteVerifier {
  return note.parseVerifierKey(text, nodeCrypto.note);
}

/** Signs `text` (which must end with a newline) and returns the whole note with one signature line. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  checkEd25519(privateKey);
  if (privateKey.type !== 'private') throw new NoteError('invalid-key', 'signing needs an Ed25519 private key');
  // The name is checked by note.signNote, but the key id needs a valid one first.
  const keyId = note.noteKeyId(name, ed25519RawPublicKey(privateKey), nodeCrypto.note.sha256);
  return note.signNote(text, { name, keyId, sign: (message) => sign(null, message, privateKey) });
}

function checkEd25519(key: KeyObject): void {
  if (typeof key !== 'object' || key === null || key.asymmetricKeyType !== 'ed25519') {
    const kind = typeof key === 'object' && key !== null ? (key.asymmetricKeyType ?? key.type) : typeof key;
    throw new NoteError('invalid-key', `want an Ed25519 KeyObject, got ${String(kind)}`);
  }
}
