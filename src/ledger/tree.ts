// The append-only RFC 9162 Merkle tree of the log: appends, roots at any past size, and
// inclusion and consistency proofs, over a pluggable store of perfect-subtree hashes. It must
// never recompute anything from all the leaves: an append writes the leaf and the subtrees
// it completes, and every root or proof reads O(log n) stored hashes, hashing the
// incomplete right edge from the perfect subtrees it decomposes into. It knows nothing of
// entries, databases or checkpoints. Environment-free (no node:*, no Buffer): the hasher is
// injected, and every hash it hands back is a fresh copy of the hasher's type.
import { HASH_SIZE, type LogHasher } from './hasher.ts';
import { bitLength, isCount, shiftRight, trailingZeros } from './bits.ts';
import { equalBytes } from './encoding.ts';

/** Hash of the perfect subtree at `level` covering leaves [index*2^level, (index+1)*2^level). */
export interface HashStore {
  get(level: number, index: number): Uint8Array | undefined;
  put(level: number, index: number, hash: Uint8Array): void;
}

/** A caller asked for an index or size the tree does not have, or passed a malformed hash. */
export class TreeRangeError extends RangeError {
  override readonly name = 'TreeRangeError';
}

/** The store lacks a hash the tree size says it must hold, or was asked to overwrite one. */
export class TreeStoreError extends Error {
  override readonly name = 'TreeStoreError';
}

/**
 * A HashStore in memory: one flat buffer of 32-byte hashes per level, so a million leaves
 * cost ~64 MiB rather than two million Buffer objects.
 */
export class MemoryHashStore<H extends Uint8Array = Uint8Array> implements HashStore {
  readonly #levels: { data: Uint8Array; present: Uint8Array }[] = [];
  readonly #from: (bytes: Uint8Array) => H;

  /** `from` copies a stored hash into the type `get` returns (Buffer on the node). */
  constructor(from: (bytes: Uint8Array) => H) {
    this.#from = from;
  }

  get(level: number, index: number): H | undefined {
    const l = this.#levels[level];
    if (l === undefined || index >= l.present.length || l.present[index] !== 1) return undefined;
    // A copy: a caller that edits a returned hash must not rewrite history.
    return this.#from(l.data.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE));
  }

  put(level: number, index: number, hash: Uint8Array): void {
    if (hash.length !== HASH_SIZE) {
      throw new TreeStoreError(`hash at level ${level} index ${index} is ${hash.length} bytes, want ${HASH_SIZE}`);
    }
    let l = this.#levels[level];
    if (l === undefined) {
      l = { data: new Uint8Array(0), present: new Uint8Array(0) };
      this.#levels[level] = l;
    }
    if (index >= l.present.length) {
      const capacity = Math.max(index + 1, 2 * l.present.length, 16);
      const data = new Uint8Array(capacity * HASH_SIZE);
      data.set(l.data);
      const present = new Uint8Array(capacity);
      present.set(l.present);
      l.data = data;
      l.present = present;
    }
    const slot = l.data.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
    if (l.present[index] === 1) {
      // Append-only: writing the same hash again is harmless, a different one is corruption.
      if (!equalBytes(slot, hash)) throw new TreeStoreError(`refusing to overwrite the hash at level ${level} index ${index}`);
      return;
    }
    slot.set(hash);
    l.present[index] = 1;
  }
}

export class MerkleTree<H extends Uint8Array = Uint8Array> {
  readonly #hasher: LogHasher<H>;
  readonly #store: HashStore;
  #size: number;

  /** `size` is the number of leaves already in `store`; the tree trusts the store to hold them. */
  constructor(hasher: LogHasher<H>, store: HashStore, size: number) {
    checkCount('size', size);
    this.#hasher = hasher;
    this.#store = store;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  /** Stores the leaf at level 0 and every perfect subtree it completes (~2 puts on average). */
  append(leafHash: Uint8Array): void {
    checkHash('leaf hash', leafHash);
    if (this.#size === Number.MAX_SAFE_INTEGER) throw new TreeRangeError(`tree size ${this.#size} cannot grow`);
    let index = this.#size;
    let level = 0;
    let hash: Uint8Array = this.#hasher.from(leafHash);
    this.#store.put(level, index, hash);
    // An odd index is a right child: the leaf completed its parent, and maybe more above.
    while (index % 2 === 1) {
      hash = this.#hasher.hashChildren(this.#get(level, index - 1), hash);
      index = (index - 1) / 2;
      level += 1;
      this.#store.put(level, index, hash);
    }
    this.#size += 1;
  }

  /** MTH(D[size]): the root at any size up to the current one. */
  root(size: number = this.#size): H {
    this.#checkSize('size', size);
    if (size === 0) return this.#hasher.from(this.#hasher.emptyRoot);
    return this.#hasher.from(this.#rangeHash(0, size));
  }

  leafHash(index: number): H {
    checkIndex(index, this.#size);
    return this.#hasher.from(this.#get(0, index));
  }

  /** PATH(index, D[size]) of RFC 9162 section 2.1.3.1, from the leaf's sibling upwards. */
  inclusionProof(index: number, size: number): H[] {
    this.#checkSize('size', size);
    checkIndex(index, size);
    return this.#path(0, index, size).map((h) => this.#hasher.from(h));
  }

  /** PROOF(from, D[to]) of RFC 9162 section 2.1.4.1; empty when from is 0 or equals to. */
  consistencyProof(from: number, to: number): H[] {
    this.#checkSize('to', to);
    checkCount('from', from);
    if (from > to) throw new TreeRangeError(`from ${from} is greater than to ${to}`);
    if (from === 0 || from === to) return [];
    // The old tree's last perfect subtree is node `index` at `level`; the proof is that
    // node (unless it is the whole old tree, whose root the verifier already has) followed
    // by its inclusion path in the new tree.
    const level = trailingZeros(from);
    const index = shiftRight(from, level) - 1;
    const proof = index === 0 ? [] : [this.#get(level, index)];
    proof.push(...this.#path(level, index, to));
    return proof.map((h) => this.#hasher.from(h));
  }

  /** Siblings of node `index` at `level` up to the root of the tree of `size` leaves. */
  #path(level: number, index: number, size: number): Uint8Array[] {
    const proof: Uint8Array[] = [];
    let node = index;
    let last = shiftRight(size - 1, level);
    // A node with no sibling (the right edge when a level has an odd count) is carried up
    // unchanged, as RFC 9162's split at the largest power of two does.
    while (last > 0) {
      const sibling = node % 2 === 1 ? node - 1 : node + 1;
      if (sibling <= last) proof.push(this.#nodeHash(level, sibling, size));
      node = Math.floor(node / 2);
      last = Math.floor(last / 2);
      level += 1;
    }
    return proof;
  }

  /** Hash of node `index` at `level` in the tree of `size` leaves, complete or not. */
  #nodeHash(level: number, index: number, size: number): Uint8Array {
    const width = 2 ** level;
    const start = index * width;
    if (start + width <= size) return this.#get(level, index);
    return this.#rangeHash(start, size);
  }

  /**
   * MTH(D[start:end]) where start is aligned to the largest power of two in end - start:
   * the range splits into perfect subtrees, largest first, one per set bit of its length,
   * and RFC 9162's recursion folds them from the right.
   */
  #rangeHash(start: number, end: number): Uint8Array {
    const count = end - start;
    const parts: Uint8Array[] = [];
    let pos = start;
    for (let level = bitLength(count) - 1; level >= 0; level -= 1) {
      const width = 2 ** level;
      if (shiftRight(count, level) % 2 === 1) {
        parts.push(this.#get(level, pos / width));
        pos += width;
      }
    }
    let hash = parts[parts.length - 1] as Uint8Array;
    for (let i = parts.length - 2; i >= 0; i -= 1) hash = this.#hasher.hashChildren(parts[i] as Uint8Array, hash);
    return hash;
  }

  #get(level: number, index: number): Uint8Array {
    const hash = this.#store.get(level, index);
    if (hash === undefined) {
      throw new TreeStoreError(`store has no hash at level ${level} index ${index} (tree size ${this.#size})`);
    }
    return hash;
  }

  #checkSize(name: string, size: number): void {
    checkCount(name, size);
    if (size > this.#size) throw new TreeRangeError(`${name} ${size} is beyond tree size ${this.#size}`);
  }
}

function checkCount(name: string, value: number): void {
  if (!isCount(value)) throw new TreeRangeError(`${name} ${String(value)} is not a non-negative safe integer`);
}

function checkIndex(index: number, size: number): void {
  checkCount('index', index);
  if (index >= size) throw new TreeRangeError(`index ${index} is not below tree size ${size}`);
}

function checkHash(name: string, hash: Uint8Array): void {
  if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
    const got = hash instanceof Uint8Array ? `${hash.length} bytes` : typeof hash;
    throw new TreeRangeError(`${name} is ${got}, want ${HASH_SIZE} bytes`);
  }
}
