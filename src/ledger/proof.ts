// Verifiers for RFC 9162 inclusion (section 2.1.3.2) and consistency (section 2.1.4.2)
// proofs, for anyone holding only a root and a size: the node's own clients, auditors, the
// tests. They must never return a bare false or trust a proof's shape: every input is
// checked, the proof length is compared with the one the (index, size) or (from, to) pair
// dictates, and every failure is a ProofError with a code and a message naming the fault.
import { EMPTY_ROOT, HASH_SIZE, hashChildren } from './hasher.ts';
import { bitLength, isCount, popCount, shiftRight, trailingZeros, xor } from './bits.ts';
import { shortHex } from './encoding.ts';

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
  readonly computed: Buffer | undefined;
  readonly want: Buffer | undefined;

  constructor(code: ProofErrorCode, message: string, computed?: Buffer, want?: Uint8Array) {
    super(message);
    this.code = code;
    this.computed = computed;
    this.want = want === undefined ? undefined : Buffer.from(want);
  }
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

/** The root that an inclusion proof leads to from `leafHash` at `index` in a tree of `size`. */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
): Buffer {
  checkIndex(index, size);
  checkHash('leaf hash', leafHash);
  checkProofHashes(proof);
  const want = inclusionProofSize(index, size);
  if (proof.length !== want) throw wrongSize(proof.length, want);

  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of proof) {
    if (sn === 0) throw wrongSize(proof.length, want);
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongSize(proof.length, want);
  return r;
}

/** Checks that `leafHash` is the leaf at `index` in the tree of `size` leaves whose root is `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  checkIndex(index, size);
  checkHash('root', root);
  const computed = rootFromInclusionProof(index, size, leafHash, proof);
  if (!computed.equals(root)) throw mismatch('root mismatch', computed, root);
}

/** Checks that the tree of `to` leaves with root `toRoot` extends the one of `from` leaves with root `fromRoot`. */
export function verifyConsistency(
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
    if (!EMPTY_ROOT.equals(fromRoot)) throw mismatch('from root mismatch (empty tree)', EMPTY_ROOT, fromRoot);
    return;
  }
  if (from === to) {
    if (!Buffer.from(fromRoot).equals(toRoot)) {
      throw mismatch(`root mismatch at equal sizes ${from}`, Buffer.from(fromRoot), toRoot);
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
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw wrongSize(proof.length, want);
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw wrongSize(proof.length, want);
  if (!fr.equals(fromRoot)) throw mismatch('from root mismatch', fr, fromRoot);
  if (!sr.equals(toRoot)) throw mismatch('to root mismatch', sr, toRoot);
}

function wrongSize(got: number, want: number): ProofError {
  return new ProofError('wrong-proof-size', `wrong proof size ${got}, want ${want}`);
}

function mismatch(what: string, computed: Buffer, want: Uint8Array): ProofError {
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
