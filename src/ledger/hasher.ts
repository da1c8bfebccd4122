// RFC 9162 section 2.1.1 hashing: the domain-separated SHA-256 that every leaf, node and
// root in the ledger is built from. It must never hash a leaf without the 0x00 prefix or a
// node without the 0x01 prefix: without them an inner node could pass for a leaf (the
// second-preimage attack the prefixes exist to stop).
import { createHash } from 'node:crypto';

/** Length in bytes of every hash the ledger handles. */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}): the root of the empty tree, SHA-256 of the empty string. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's bytes. */
export function hashLeaf(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}
