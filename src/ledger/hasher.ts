// RFC 9162 section 2.1.1 hashing: the domain-separated SHA-256 that every leaf, node and
// root in the ledger is built from. It must never hash a leaf without the 0x00 prefix or a
// node without the 0x01 prefix: without them an inner node could pass for a leaf (the
// second-preimage attack the prefixes exist to stop).
import { createHash, hash } from 'node:crypto';

/** Length in bytes of every hash the ledger handles. */
export const HASH_SIZE = 32;

/** MTH({}): the root of the empty tree, SHA-256 of the empty string. Treat as read-only. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

// One-shot crypto.hash is about twice as fast as createHash().update().digest() on inputs
// this small, and the tree's cost is almost all hashing; it needs one contiguous input, so
// small inputs are assembled in a scratch buffer (safe to reuse: hashing is synchronous).
const SMALL = 1024;
const scratch = Buffer.alloc(1 + SMALL);

/** MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's bytes. */
export function hashLeaf(data: Uint8Array): Buffer {
  if (data.length > SMALL) return createHash('sha256').update(new Uint8Array([0x00])).update(data).digest();
  scratch[0] = 0x00;
  scratch.set(data, 1);
  return hash('sha256', scratch.subarray(0, 1 + data.length), 'buffer');
}

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length + right.length > SMALL) {
    return createHash('sha256').update(new Uint8Array([0x01])).update(left).update(right).digest();
  }
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 1 + left.length);
  return hash('sha256', scratch.subarray(0, 1 + left.length + right.length), 'buffer');
}
