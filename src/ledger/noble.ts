// The ledger's crypto in pure JavaScript, on @noble/hashes' SHA-256 and @noble/curves'
// Ed25519 (audited, no dependencies): what the explorer verifies receipts with in the
// browser, where node:crypto does not exist and WebCrypto is asynchronous. About half as
// fast as node:crypto at hashing, so the node's own hot paths must never use it; they take
// src/nodeLedger/crypto.ts. Ed25519 is checked strictly (RFC 8032, zip215 off), as
// OpenSSL does on the node, so both accept exactly the same signatures.
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import type { LedgerCrypto } from './crypto.ts';
import { rfc9162Hasher } from './hasher.ts';
import { NoteError } from './note.ts';

export const nobleCrypto: LedgerCrypto = {
  hasher: rfc9162Hasher(
    (data) => sha256(data),
    (bytes) => new Uint8Array(bytes),
  ),
  note: {
    sha256: (data) => sha256(data),
    ed25519(publicKey) {
      if (publicKey.length !== 32) throw new NoteError('invalid-key', `Ed25519 public key is ${publicKey.length} bytes, want 32`);
      const key = publicKey.slice();
      return (message, signature) => {
        // noble throws on a signature of the wrong length; OpenSSL answers false, and so must this.
        try {
          return ed25519.verify(signature, message, key, { zip215: false });
        } catch {
          return false;
        }
      };
    },
  },
};
