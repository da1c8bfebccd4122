// Verifiers for RFC 9162 inclusion (section 2.1.3.2) and consistency (section 2.1.4.2)
// proofs, for anyone holding only a root and a size: the node's own clients, auditors, the
// tests. They must never return a bare false or trust a proof's shape: every input is
// checked, the proof length is compared with the one the (index, size) or (from, to) pair
// dictates, and every failure is a ProofError with a code and a message naming the fault.
// The hasher is passed in (as transparency-dev/merkle's VerifyInclusion(hasher, ...) takes
// it), so the node and the browser run this same code: environment-free, no node:*, no Buffer.
import { HASH_SIZE, type LogHasher } from './hasher.ts';
import { bitLength, isCount, popCount, shiftRight, trailingZeros, xor } from './bits.ts';
import { equalBytes, shortHex } from './encoding.ts';

export type ProofErrorCode =
  /** A size or index is not a non-negative safe integer, or a hash is not 32 bytes. */
  | 'invalid-argument'
  /** The leaf index is not below the tree size. */
  | 'index-beyond-size'
  /** A consistency proof's old size is greater than its new size. */
  | 'size-order'
  /** The proof has more or fewer hashes than the sizes call for. */
  | 'wrong-proof-size'
  /** The proof is well formed but does not lead to the root given. */
  | 'root-mismatch';

export class ProofError extends Error {
  override readonly name = 'ProofError';
  readonly code: ProofErrorCode;
  /** For root mismatches: the root the proof leads to, and the root it was checked against. */
  readonly computed: Uint8Array | undefined;
  readonly want: Uint8Array | undefined;

  constructor(code: ProofErrorCode, message: string, computed?: Uint8Array, want?: Uint8Array) {
    super(message);
    this.code = code;
    this.computed = computed;
    this.want = want === undefined ? undefined : new Uint8Array(want);
  }
}

/** One hash of an inclusion proof, as the verifier used it: where the sibling sat and the node it made. */
export interface PathStep<H extends Uint8Array = Uint8Array> {
  sibling: Uint8Array;
  /** 'left': the sibling is the left child, so the node is H(0x01 ‖ sibling ‖ r). */
  side: 'left' | 'right';
  node: H;
}

/** Number of hashes in PATH(index, D[size]); index must be below size. */
export function inclusionProofSize(index: number, size: number): number {
  checkIndex(index, size);
  // Below level `inner` the path's node differs from the right edge's node, so it always
  // has a sibling; above it the path runs along the right edge, where only a left sibling
  // (a set bit of the index) exists.
  const inner = bitLength(xor(index, size - 1));
  return inner + popCount(shiftRight(index, inner));
}

/** Number of hashes in PROOF(from, D[to]); 0 when from is 0 or equals to. */
export function consistencyProofSize(from: number, to: number): number {
  checkSizes(from, to);
  if (from === 0 || from === to) return 0;
  // The inclusion path of the old tree's last perfect subtree, viewed at its level, plus
  // that subtree's own hash unless it is the whole old tree.
  const level = trailingZeros(from);
  const index = shiftRight(from, level) - 1;
  return inclusionProofSize(index, shiftRight(to - 1, level) + 1) + (index === 0 ? 0 : 1);
}

/** The root that an inclusion proof leads to from `leafHash` at `index` in a tree of `size` leaves. */
export function rootFromInclusionProof<H extends Uint8Array>(
  hasher: LogHasher<H>,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): H {
  return walkInclusion(hasher, index, size, leafHash, proof, undefined);
}

/**
 * Every step of an inclusion proof's walk from `leafHash` up to the root (the last step's
 * node), for a reader who wants to see the path; empty when the tree has one leaf.
 */
export function inclusionPath<H extends Uint8Array>(
  hasher: LogHasher<H>,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): PathStep<H>[] {
  const steps: PathStep<H>[] = [];
  walkInclusion(hasher, index, size, leafHash, proof, steps);
  return steps;
}

/** RFC 9162 section 2.1.3.2's walk; records each step in `steps` when given. */
function walkInclusion<H extends Uint8Array>(
  hasher: LogHasher<H>,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  steps: PathStep<H>[] | undefined,
): H {
  checkIndex(index, size);
  checkHash('leaf hash', leafHash);
  checkProofHashes(proof);
  const want = inclusionProofSize(index, size);
  if (proof.length !== want) throw wrongSize(proof.length, want);

  let fn = index;
  let sn = size - 1;
  let r: H = hasher.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw wrongSize(proof.length, want);
    if (fn % 2 === 1 || fn === sn) {
      r = hasher.hashChildren(p, r);
      steps?.push({ sibling: p, side: 'left', node: r });
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hasher.hashChildren(r, p);
      steps?.push({ sibling: p, side: 'right', node: r });
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongSize(proof.length, want);
  return r;
}

/** Checks that `leafHash` is the leaf at `index` in the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(
  hasher: LogHasher,
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkIndex(index, size);
  checkHash('root', root);
  const computed = rootFromInclusionProof(hasher, index, size, leafHash, proof);
  if (!equalBytes(computed, root)) throw mismatch('root mismatch', computed, root);
}

/** Checks that the tree of `to` leaves with root `toRoot` extends the one of `from` leaves with root `fromRoot`. */
export function verifyConsistency(
  hasher: LogHasher,
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): void {
  checkSizes(from, to);
  checkHash('from root', fromRoot);
  checkHash('to root', toRoot);
  checkProofHashes(proof);
  const want = consistencyProofSize(from, to);
  if (proof.length !== want) throw wrongSize(proof.length, want);

  if (from === 0) {
    // Every tree extends the empty one; RFC 9162 leaves the proof undefined, so it is empty.
    if (!equalBytes(hasher.emptyRoot, fromRoot)) {
      throw mismatch('from root mismatch (empty tree)', hasher.from(hasher.emptyRoot), fromRoot);
    }
    return;
  }
  if (from === to) {
    if (!equalBytes(fromRoot, toRoot)) {
      throw mismatch(`root mismatch at equal sizes ${from}`, hasher.from(fromRoot), toRoot);
    }
    return;
  }

  // When the old tree is a perfect subtree of the new one, its root is the first node on
  // the path and the proof leaves it out.
  const path = from === 2 ** trailingZeros(from) ? [fromRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw wrongSize(proof.length, want);
    if (fn % 2 === 1 || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongSize(proof.length, want);
  if (!equalBytes(fr, fromRoot)) throw mismatch('from root mismatch', hasher.from(fr), fromRoot);
  if (!equalBytes(sr, toRoot)) throw mismatch('to root mismatch', hasher.from(sr), toRoot);
}

function wrongSize(got: number, want: number): ProofError {
  return new ProofError('wrong-proof-size', `wrong proof size ${got}, want ${want}`);
}

function mismatch(what: string, computed: Uint8Array, want: Uint8Array): ProofError {
  return new ProofError('root-mismatch', `${what}: computed ${shortHex(computed)}, want ${shortHex(want)}`, computed, want);
}

function checkCount(name: string, value: number): void {
  if (!isCount(value)) {
    throw new ProofError('invalid-argument', `${name} ${String(value)} is not a non-negative safe integer`);
  }
}

function checkIndex(index: number, size: number): void {
  checkCount('index', index);
  checkCount('size', size);
  if (index >= size) throw new ProofError('index-beyond-size', `index ${index} is beyond tree size ${size}`);
}

function checkSizes(from: number, to: number): void {
  checkCount('from', from);
  checkCount('to', to);
  if (from > to) throw new ProofError('size-order', `from ${from} is greater than to ${to}`);
}

function checkHash(name: string, hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array)) throw new ProofError('invalid-argument', `${name} is ${typeof hash}, not bytes`);
  if (hash.length !== HASH_SIZE) {
    throw new ProofError('invalid-argument', `${name} is ${hash.length} bytes, want ${HASH_SIZE}`);
  }
}

function checkProofHashes(proof: readonly Uint8Array[]): void {
  if (!Array.isArray(proof)) throw new ProofError('invalid-argument', 'proof is not an array of hashes');
  proof.forEach((h, i) => checkHash(`proof hash ${i}`, h));
}
