// The naive RFC 9162 definitions, written as the RFC writes them: MTH, PATH and PROOF by
// recursion over all the leaves (sections 2.1.1, 2.1.3.1, 2.1.4.1), and verifiers that
// mirror those recursions instead of the RFC's bit-twiddling loops. Tests and the vector
// generator measure tree.ts and proof.ts against them. Production code must never import
// this: it is O(n) per call by design, and its only job is to be obviously right.
import { createHash } from 'node:crypto';
import { HASH_SIZE } from '../hasher.ts';
import type { ProofErrorCode } from '../proof.ts';

// RFC 9162 section 2.1.1's hashes spelled out here with node:crypto, apart from the
// hasher the code under test is given: the reference shares nothing with it.
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const EMPTY_ROOT: Buffer = sha256();
export const hashLeaf = (data: Uint8Array): Buffer => sha256(new Uint8Array([0x00]), data);
export const hashChildren = (left: Uint8Array, right: Uint8Array): Buffer => sha256(new Uint8Array([0x01]), left, right);

/** The largest power of two smaller than n (n >= 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]). */
export function refRoot(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length === 0) return Buffer.from(EMPTY_ROOT);
  if (leaves.length === 1) return hashLeaf(leaves[0] as Uint8Array);
  const k = splitPoint(leaves.length);
  return hashChildren(refRoot(leaves.slice(0, k)), refRoot(leaves.slice(k)));
}

/** PATH(m, D[n]), for m < n. */
export function refPath(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  const n = leaves.length;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...refPath(m, leaves.slice(0, k)), refRoot(leaves.slice(k))];
  return [...refPath(m - k, leaves.slice(k)), refRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m <= n. */
export function refProof(m: number, leaves: readonly Uint8Array[]): Buffer[] {
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Uint8Array[], b: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [refRoot(leaves)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), b), refRoot(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), refRoot(leaves.slice(0, k))];
}

export type RefOutcome = 'ok' | ProofErrorCode;

/**
 * What an inclusion verifier must conclude, found by undoing PATH's recursion: each step
 * takes the proof's last hash as the sibling of the subtree holding the leaf.
 */
export function refVerifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): RefOutcome {
  if (index >= size) return 'index-beyond-size';
  if (![leafHash, root, ...proof].every((h) => h.length === HASH_SIZE)) return 'invalid-argument';
  const rebuild = (m: number, n: number, hashes: readonly Uint8Array[]): Buffer | undefined => {
    if (n === 1) return hashes.length === 0 ? Buffer.from(leafHash) : undefined;
    if (hashes.length === 0) return undefined;
    const k = splitPoint(n);
    const sibling = hashes[hashes.length - 1] as Uint8Array;
    const rest = hashes.slice(0, -1);
    if (m < k) {
      const left = rebuild(m, k, rest);
      return left && hashChildren(left, sibling);
    }
    const right = rebuild(m - k, n - k, rest);
    return right && hashChildren(sibling, right);
  };
  const computed = rebuild(index, size, proof);
  if (computed === undefined) return 'wrong-proof-size';
  return computed.equals(root) ? 'ok' : 'root-mismatch';
}

/**
 * What a consistency verifier must conclude, found by undoing SUBPROOF's recursion: it
 * rebuilds the old and the new root side by side from the proof's hashes.
 */
export function refVerifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): RefOutcome {
  if (from > to) return 'size-order';
  if (![fromRoot, toRoot, ...proof].every((h) => h.length === HASH_SIZE)) return 'invalid-argument';
  if (from === 0) {
    if (proof.length !== 0) return 'wrong-proof-size';
    return EMPTY_ROOT.equals(fromRoot) ? 'ok' : 'root-mismatch';
  }
  type Pair = { old: Buffer; new: Buffer };
  const rebuild = (m: number, n: number, b: boolean, hashes: readonly Uint8Array[]): Pair | undefined => {
    if (m === n) {
      if (b) return hashes.length === 0 ? { old: Buffer.from(fromRoot), new: Buffer.from(fromRoot) } : undefined;
      if (hashes.length !== 1) return undefined;
      const h = Buffer.from(hashes[0] as Uint8Array);
      return { old: h, new: h };
    }
    if (hashes.length === 0) return undefined;
    const k = splitPoint(n);
    const last = hashes[hashes.length - 1] as Uint8Array;
    const rest = hashes.slice(0, -1);
    if (m <= k) {
      const r = rebuild(m, k, b, rest);
      return r && { old: r.old, new: hashChildren(r.new, last) };
    }
    const r = rebuild(m - k, n - k, false, rest);
    return r && { old: hashChildren(last, r.old), new: hashChildren(last, r.new) };
  };
  const pair = rebuild(from, to, true, proof);
  if (pair === undefined) return 'wrong-proof-size';
  return pair.old.equals(fromRoot) && pair.new.equals(toRoot) ? 'ok' : 'root-mismatch';
}
