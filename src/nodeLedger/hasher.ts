// src/ledger/hasher.ts bound to node:crypto, with Buffer hashes: what the node's code
// hashes leaves and nodes with. Only binds; the rules live in src/ledger/hasher.ts.
import { nodeCrypto } from './crypto.ts';

export { HASH_SIZE } from '../ledger/hasher.ts';

const hasher = nodeCrypto.hasher;

/** MTH({}): the root of the empty tree, SHA-256 of the empty string. Treat as read-only. */
export const EMPTY_ROOT: Buffer = hasher.emptyRoot;

/** MTH({d}) = SHA-256(0x00 || d): the hash of one leaf's bytes. */
export const hashLeaf: (data: Uint8Array) => Buffer = hasher.hashLeaf;

/** SHA-256(0x01 || left || right): the hash of an inner node. */
export const hashChildren: (left: Uint8Array, right: Uint8Array) => Buffer = hasher.hashChildren;
