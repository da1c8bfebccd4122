// secp256k1 ECDSA for EVM accounts: recover the address that signed a 32-byte digest,
// and sign digests (for the node's own tools and tests). Recovery runs on the native
// libsecp256k1 binding, ~30× faster than JavaScript; this module refuses to load
// without it rather than fall back silently. It never accepts a malleable signature:
// a high-s value (EIP-2), an out-of-range r or s, or an unknown v is a SignatureError.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Secp256k1 from 'secp256k1';
import { keccak256 } from './keccak.ts';

/** Why a signature, digest or key was refused. `code` is stable for callers to branch on. */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly code: 'format' | 'length' | 'v' | 'r' | 's' | 'high-s' | 'recover' | 'digest' | 'private-key',
    message: string,
  ) {
    super(message);
  }
}

/** Thrown at import time when the native secp256k1 binding cannot be loaded. */
export class NativeSecp256k1MissingError extends Error {
  override readonly name = 'NativeSecp256k1MissingError';
}

function loadNative(): typeof Secp256k1 {
  // `require('secp256k1')` catches a failed native load and returns the pure-JS
  // `elliptic` version instead; `secp256k1/bindings` is the native path alone.
  try {
    return createRequire(import.meta.url)('secp256k1/bindings') as typeof Secp256k1;
  } catch (e) {
    throw new NativeSecp256k1MissingError(
      `the native secp256k1 binding (secp256k1@5, prebuilt for ${process.platform}-${process.arch}) failed to load: ` +
        `${(e as Error).message}. Reinstall dependencies with install scripts enabled; the JavaScript fallback is refused because it is too slow.`,
    );
  }
}

const native = loadNative();

// The group order n, and n/2: EIP-2 allows only s ≤ n/2, so each signature has one form.
const N = Buffer.from('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', 'hex');
const HALF_N = Buffer.from('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0', 'hex');
const ZERO = Buffer.alloc(32);
const SIG_HEX = /^0x[0-9a-fA-F]{130}$/;

function toSignatureBytes(signature: string | Uint8Array): Buffer {
  if (typeof signature === 'string') {
    if (SIG_HEX.test(signature)) return Buffer.from(signature.slice(2), 'hex');
    if (!signature.startsWith('0x')) throw new SignatureError('format', 'signature must be 0x-prefixed hex');
    const bad = /[^0-9a-fA-F]/.exec(signature.slice(2));
    if (bad) throw new SignatureError('format', `signature has a non-hex character ${JSON.stringify(bad[0])} at position ${bad.index + 2}`);
    const digits = signature.length - 2;
    throw new SignatureError(
      'length',
      `signature is ${digits % 2 ? `${digits} hex digits` : `${digits / 2} bytes`}, want 65 (r ‖ s ‖ v)`,
    );
  }
  if (!(signature instanceof Uint8Array)) throw new SignatureError('format', 'signature must be 0x hex or a Uint8Array');
  if (signature.length !== 65) throw new SignatureError('length', `signature is ${signature.length} bytes, want 65 (r ‖ s ‖ v)`);
  return Buffer.from(signature.buffer, signature.byteOffset, 65);
}

function checkDigest(digest: Uint8Array): void {
  if (!(digest instanceof Uint8Array) || digest.length !== 32)
    throw new SignatureError('digest', `digest must be 32 bytes, got ${digest instanceof Uint8Array ? digest.length : typeof digest}`);
}

function addressOf(uncompressed: Uint8Array): string {
  // The address is the last 20 bytes of keccak256 of the 64-byte point (without 0x04).
  return '0x' + keccak256(uncompressed.subarray(1)).toString('hex', 12);
}

/**
 * The lowercase 0x address whose key signed `digest`. `signature` is 65 bytes r ‖ s ‖ v
 * (hex or raw) with v ∈ {27, 28, 0, 1}. Throws SignatureError.
 */
export function recoverAddress(digest: Uint8Array, signature: string | Uint8Array): string {
  checkDigest(digest);
  const sig = toSignatureBytes(signature);
  const r = sig.subarray(0, 32);
  const s = sig.subarray(32, 64);
  const v = sig[64];
  let recid: number;
  if (v === 27 || v === 28) recid = v - 27;
  else if (v === 0 || v === 1) recid = v;
  else throw new SignatureError('v', `signature v is ${v}, want 27 or 28 (or 0 or 1)`);
  if (r.equals(ZERO) || r.compare(N) >= 0) throw new SignatureError('r', 'signature r is zero or not below the curve order');
  if (s.equals(ZERO)) throw new SignatureError('s', 'signature s is zero');
  if (s.compare(HALF_N) > 0)
    throw new SignatureError('high-s', 'signature s is in the upper half of the curve order (EIP-2 forbids it: use n - s and flip v)');
  let pub: Uint8Array;
  try {
    pub = native.ecdsaRecover(sig.subarray(0, 64), recid, digest, false);
  } catch (e) {
    throw new SignatureError('recover', `no public key recovers from this signature and digest (${(e as Error).message})`);
  }
  return addressOf(pub);
}

function checkPrivateKey(privateKey: Uint8Array): void {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32)
    throw new SignatureError('private-key', 'private key must be 32 bytes');
  if (!native.privateKeyVerify(privateKey))
    throw new SignatureError('private-key', 'private key is zero or not below the curve order');
}

/** Signs a 32-byte digest: 0x hex of 65 bytes r ‖ s ‖ v, low s, v = 27 or 28 (what wallets produce). */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): string {
  checkDigest(digest);
  checkPrivateKey(privateKey);
  // RFC 6979 deterministic nonce; libsecp256k1 always returns low s.
  const { signature, recid } = native.ecdsaSign(digest, privateKey);
  return '0x' + Buffer.from(signature).toString('hex') + (27 + recid).toString(16);
}

/** The lowercase 0x address of a private key. */
export function privateKeyToAddress(privateKey: Uint8Array): string {
  checkPrivateKey(privateKey);
  return addressOf(native.publicKeyCreate(privateKey, false));
}

/** A fresh private key from the OS CSPRNG. */
export function randomPrivateKey(): Buffer {
  for (;;) {
    const k = randomBytes(32);
    // Fails with probability ~2^-128 (zero or ≥ n); draw again rather than reduce.
    if (native.privateKeyVerify(k)) return k;
  }
}
