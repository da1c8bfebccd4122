// The ledger's crypto on node:crypto: one-shot SHA-256 (about twice the speed of noble's,
// and of createHash().update().digest() on inputs this small) and OpenSSL's Ed25519. The
// node's hot paths (the sequencer hashing leaves, replay, restore) run on this; it must
// never be imported by code that runs in the browser (src/ledger/noble.ts is for that).
import { createPublicKey, hash, type KeyObject, verify } from 'node:crypto';
import type { LedgerCrypto } from '../ledger/crypto.ts';
import { rfc9162Hasher } from '../ledger/hasher.ts';
import { NoteError } from '../ledger/note.ts';

/** The Ed25519 public KeyObject for 32 raw bytes. */
export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new NoteError('invalid-key', `Ed25519 public key is ${raw.length} bytes, want 32`);
  const x = Buffer.from(raw).toString('base64url');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch (e) {
    throw new NoteError('invalid-key', `not an Ed25519 public key: ${(e as Error).message}`);
  }
}

const sha256 = (data: Uint8Array): Buffer => hash('sha256', data, 'buffer');

export const nodeCrypto: LedgerCrypto<Buffer> = {
  hasher: rfc9162Hasher(sha256, (bytes) => Buffer.from(bytes)),
  note: {
    sha256,
    ed25519(publicKey) {
      const key = ed25519PublicKeyFromRaw(publicKey);
      return (message, signature) => verify(null, message, key, signature);
    },
  },
};
