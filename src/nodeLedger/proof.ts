// src/ledger/proof.ts's verifiers bound to node:crypto's hasher, with Buffer roots: what the
// node, the CLI and the tests check proofs with. Only binds; every rule and error lives in
// src/ledger/proof.ts.
import * as proof from '../ledger/proof.ts';
import { nodeCrypto } from './crypto.ts';

export { consistencyProofSize, inclusionProofSize, ProofError, type ProofErrorCode } from '../ledger/proof.ts';

const hasher = nodeCrypto.hasher;

/** The root that an inclusion proof leads to from `leafHash` at `index` in a tree of `size`. */
export function rootFromInclusionProof(index: number, size: number, leafHash: Uint8Array, hashes: readonly Uint8Array[]): Buffer {
  return proof.rootFromInclusionProof(hasher, index, size, leafHash, hashes);
}

/** Checks that `leafHash` is the leaf at `index` in the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(index: number, size: number, leafHash: Uint8Array, hashes: readonly Uint8Array[], root: Uint8Array): void {
  proof.verifyInclusion(hasher, index, size, leafHash, hashes, root);
}

/** Checks that the tree of `to` leaves with root `toRoot` extends the one of `from` leaves with root `fromRoot`. */
export function verifyConsistency(from: number, to: number, hashes: readonly Uint8Array[], fromRoot: Uint8Array, toRoot: Uint8Array): void {
  proof.verifyConsistency(hasher, from, to, hashes, fromRoot, toRoot);
}
