// Keccak-256 (the pre-standard padding Ethereum uses, not SHA3-256) on the native
// `keccak` add-on. Node's OpenSSL has no keccak and the pure-JS fallbacks run several
// times slower, so this module loads the native sponge itself and refuses to start
// without it. It must never silently fall back to JavaScript, and never hash a string
// implicitly: callers say whether they mean bytes or UTF-8.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** The native sponge object the add-on exports (Keccak-f[1600], XKCP). */
interface KeccakSponge {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

/** Thrown at import time when the native keccak add-on cannot be loaded. */
export class NativeKeccakMissingError extends Error {
  override readonly name = 'NativeKeccakMissingError';
}

function loadSponge(): KeccakSponge {
  const require = createRequire(import.meta.url);
  try {
    // `require('keccak')` swallows a failed native load and hands back the JS version,
    // so go to the loader keccak itself uses, from keccak's own directory.
    const pkgDir = dirname(require.resolve('keccak/package.json'));
    const keccakRequire = createRequire(require.resolve('keccak/package.json'));
    const loadAddon = keccakRequire('node-gyp-build') as (dir: string) => unknown;
    const Sponge = loadAddon(pkgDir);
    if (typeof Sponge !== 'function' || typeof (Sponge.prototype as KeccakSponge).squeeze !== 'function')
      throw new Error('the add-on does not export the Keccak sponge class');
    return new (Sponge as new () => KeccakSponge)();
  } catch (e) {
    throw new NativeKeccakMissingError(
      `the native keccak add-on (keccak@3, prebuilt for ${process.platform}-${process.arch}) failed to load: ` +
        `${(e as Error).message}. Reinstall dependencies with install scripts enabled; the JavaScript fallback is refused because it is too slow for signature checks.`,
    );
  }
}

// One sponge per thread, reused: each hash runs start to finish synchronously, so
// nothing can interleave. Worker threads load their own copy of this module.
const sponge = loadSponge();
// Keccak-256: rate 1088 bits, capacity 512. `squeeze` applies Keccak's 0x01 padding.
const RATE = 1088;
const CAPACITY = 512;

function asBuffer(data: Uint8Array): Buffer {
  // The add-on reads Node Buffers; view other Uint8Arrays without copying.
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Keccak-256 of bytes, as a 32-byte Buffer. */
export function keccak256(data: Uint8Array): Buffer {
  if (!(data instanceof Uint8Array)) throw new TypeError('keccak256 takes a Uint8Array; use keccak256Utf8 for text');
  sponge.initialize(RATE, CAPACITY);
  sponge.absorb(asBuffer(data));
  return sponge.squeeze(32);
}

/** Keccak-256 of several byte strings concatenated, without building the concatenation. */
export function keccak256Concat(parts: readonly Uint8Array[]): Buffer {
  sponge.initialize(RATE, CAPACITY);
  for (const p of parts) sponge.absorb(asBuffer(p));
  return sponge.squeeze(32);
}

/** Keccak-256 of the UTF-8 encoding of `text` (lone surrogates become U+FFFD, as in TextEncoder). */
export function keccak256Utf8(text: string): Buffer {
  sponge.initialize(RATE, CAPACITY);
  sponge.absorb(Buffer.from(text, 'utf8'));
  return sponge.squeeze(32);
}
