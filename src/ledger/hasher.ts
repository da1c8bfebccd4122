// RFC 9162 section 2.1.1 hashing: the domain-separated SHA-256 that every leaf, node and
// root in the ledger is built from, over a SHA-256 the caller injects (as
// transparency-dev/merkle's hashers are passed to its verifiers): node:crypto's on the
// node, where leaf hashing is the sequencer's hot path, and a pure-JavaScript one in the
// browser. Environment-free: it must never import node:* nor use Buffer. It must never
// hash a leaf without the 0x00 prefix or a node without the 0x01 prefix: without them an
// inner node could pass for a leaf (the second-preimage attack the prefixes exist to stop).

/** Length in bytes of every hash the ledger handles. */
export const HASH_SIZE = 32;

/** SHA-256 of one contiguous input, returning the hash type `H` the caller works in. */
export type Sha256<H extends Uint8Array = Uint8Array> = (data: Uint8Array) => H;

/** RFC 9162's hasher, producing hashes of type `H` (Buffer on the node, Uint8Array in the browser). */
export interface LogHasher<H extends Uint8Array = Uint8Array> {
  /** MTH({}): the root of the empty tree, SHA-256 of the empty string. Treat as read-only. */
  readonly emptyRoot: H;
  /** MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's bytes. */
  hashLeaf(data: Uint8Array): H;
  /** SHA-256(0x01 || left || right): the hash of an inner node. */
  hashChildren(left: Uint8Array, right: Uint8Array): H;
  /** A copy of `bytes` as an `H`: what trees and verifiers hand back, so callers cannot edit stored hashes. */
  from(bytes: Uint8Array): H;
}

// Hashing is synchronous, so one scratch buffer per hasher is safe to reuse: most inputs
// (a node's 65 bytes, a typical entry) are assembled there without an allocation.
const SMALL = 1024;

/** The RFC 9162 hasher over `sha256`; `from` copies bytes into the hash type `H`. */
export function rfc9162Hasher<H extends Uint8Array>(sha256: Sha256<H>, from: (bytes: Uint8Array) => H): LogHasher<H> {
  // Made by `from`, so the scratch is of the caller's type too: node:crypto's hash() is
  // measurably faster on a Buffer than on a plain Uint8Array view.
  const scratch = from(new Uint8Array(1 + SMALL));
  // Two straight-line functions rather than one with a prefix argument: the tree calls
  // hashChildren about twice per append, and the sequencer hashLeaf once per entry.
  return {
    emptyRoot: sha256(new Uint8Array(0)),
    hashLeaf(data) {
      const n = 1 + data.length;
      const buf = n <= scratch.length ? scratch : new Uint8Array(n);
      buf[0] = 0x00;
      buf.set(data, 1);
      return sha256(buf.subarray(0, n));
    },
    hashChildren(left, right) {
      const n = 1 + left.length + right.length;
      const buf = n <= scratch.length ? scratch : new Uint8Array(n);
      buf[0] = 0x01;
      buf.set(left, 1);
      buf.set(right, 1 + left.length);
      return sha256(buf.subarray(0, n));
    },
    from,
  };
}
