// Tests of tree.ts: published RFC 6962 vectors, every proof up to size 70 against the naive
// RFC 9162 definitions, store-operation counts, sizes beyond 2^32, and its errors. Expected
// values come from testdata/ or reference.ts, never from the tree itself.
import { describe, expect, test } from 'vitest';
import { EMPTY_ROOT, hashChildren, hashLeaf } from '../nodeLedger/hasher.ts';
import { type HashStore, MemoryHashStore, MerkleTree, TreeRangeError, TreeStoreError } from '../nodeLedger/tree.ts';
import { consistencyProofSize, inclusionProofSize, verifyConsistency, verifyInclusion } from '../nodeLedger/proof.ts';
import { refPath, refProof, refRoot, splitPoint } from './testdata/reference.ts';
import { leafData } from './testdata/generate.ts';
import { rfc6962, unhex } from './testdata/vectors.ts';

const hex = (hashes: Buffer[]): string[] => hashes.map((h) => h.toString('hex'));

function leaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => leafData(i));
}

function build(data: readonly Buffer[], store: HashStore = new MemoryHashStore()): MerkleTree {
  const tree = new MerkleTree(store, 0);
  for (const d of data) tree.append(hashLeaf(d));
  return tree;
}

class CountingStore implements HashStore {
  readonly inner = new MemoryHashStore();
  gets = 0;
  puts = 0;
  get(level: number, index: number): Buffer | undefined {
    this.gets += 1;
    return this.inner.get(level, index);
  }
  put(level: number, index: number, hash: Buffer): void {
    this.puts += 1;
    this.inner.put(level, index, hash);
  }
}

/** Deterministic pseudo-random integers in [0, n). */
function* lcg(seed: number): Generator<(n: number) => number> {
  let s = seed;
  for (;;) {
    yield (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
  }
}

describe('MerkleTree on the RFC 6962 test tree', () => {
  const v = rfc6962();
  const store = new MemoryHashStore();
  const tree = build(v.leaves.map(unhex), store);

  test('roots at every size', () => {
    v.roots.forEach((root, size) => expect(tree.root(size).toString('hex')).toBe(root));
  });

  test('the store holds exactly the published perfect-subtree hashes', () => {
    v.nodes.forEach((level, l) => level.forEach((h, i) => expect(store.get(l, i)?.toString('hex')).toBe(h)));
    expect(store.get(0, 8)).toBeUndefined();
    expect(store.get(4, 0)).toBeUndefined();
  });

  test.each(v.inclusion)('inclusion proof of $index in $size', (c) => {
    expect(hex(tree.inclusionProof(c.index, c.size))).toEqual(c.proof);
  });

  test.each(v.consistency)('consistency proof from $from to $to', (c) => {
    expect(hex(tree.consistencyProof(c.from, c.to))).toEqual(c.proof);
  });

  test('the published compact-range roots', () => {
    const data = Array.from({ length: 255 }, (_, i) => Buffer.from([i & 0xff, (i >> 8) & 0xff]));
    const t = build(data);
    for (const c of v.compactRoots) expect(t.root(c.size).toString('base64')).toBe(c.root);
  });
});

describe('MerkleTree against the naive RFC 9162 definitions', () => {
  const N = 70;
  const data = leaves(N);

  test('root after every append equals MTH of the leaves so far', () => {
    const tree = new MerkleTree(new MemoryHashStore(), 0);
    expect(tree.root().equals(EMPTY_ROOT)).toBe(true);
    for (let n = 1; n <= N; n += 1) {
      tree.append(hashLeaf(data[n - 1]!));
      expect(tree.size).toBe(n);
      expect(tree.root().equals(refRoot(data.slice(0, n)))).toBe(true);
    }
  });

  const tree = build(data);

  test(`historical roots, leaf hashes and every inclusion proof up to size ${N}`, () => {
    for (let size = 0; size <= N; size += 1) {
      const prefix = data.slice(0, size);
      const root = refRoot(prefix);
      expect(tree.root(size).equals(root)).toBe(true);
      for (let index = 0; index < size; index += 1) {
        const proof = tree.inclusionProof(index, size);
        expect(hex(proof)).toEqual(hex(refPath(index, prefix)));
        expect(proof.length).toBe(inclusionProofSize(index, size));
        const leaf = tree.leafHash(index);
        expect(leaf.equals(hashLeaf(data[index]!))).toBe(true);
        verifyInclusion(index, size, leaf, proof, root);
      }
    }
  });

  test(`every consistency proof up to size ${N}`, () => {
    for (let to = 0; to <= N; to += 1) {
      const toRoot = tree.root(to);
      for (let from = 0; from <= to; from += 1) {
        const proof = tree.consistencyProof(from, to);
        const want = from === 0 ? [] : refProof(from, data.slice(0, to));
        expect(hex(proof)).toEqual(hex(want));
        expect(proof.length).toBe(consistencyProofSize(from, to));
        verifyConsistency(from, to, proof, tree.root(from), toRoot);
      }
    }
  });

  test('a tree reopened over its store carries on where it stopped', () => {
    const store = new MemoryHashStore();
    build(data.slice(0, 37), store);
    const reopened = new MerkleTree(store, 37);
    expect(reopened.root().equals(refRoot(data.slice(0, 37)))).toBe(true);
    for (const d of data.slice(37)) reopened.append(hashLeaf(d));
    expect(reopened.root().equals(refRoot(data))).toBe(true);
    expect(hex(reopened.inclusionProof(12, 50))).toEqual(hex(refPath(12, data.slice(0, 50))));
  });
});

describe('MerkleTree cost in store operations', () => {
  const N = 5000;
  const store = new CountingStore();
  const tree = new MerkleTree(store, 0);
  const log2 = Math.ceil(Math.log2(N));

  test('appends cost under 2 puts and 1 get each on average, and at most log n + 1', () => {
    let worstPuts = 0;
    for (let i = 0; i < N; i += 1) {
      const before = store.puts;
      tree.append(hashLeaf(leafData(i)));
      worstPuts = Math.max(worstPuts, store.puts - before);
    }
    expect(store.puts).toBeLessThan(2 * N);
    expect(store.gets).toBeLessThan(N);
    expect(worstPuts).toBeLessThanOrEqual(log2 + 1);
  });

  test('roots and proofs read O(log n) hashes', () => {
    const random = lcg(7).next().value as (n: number) => number;
    for (let k = 0; k < 300; k += 1) {
      const size = 1 + random(N);
      const index = random(size);
      const from = random(size + 1);
      const count = (f: () => unknown): number => {
        const before = store.gets;
        f();
        return store.gets - before;
      };
      expect(count(() => tree.root(size))).toBeLessThanOrEqual(log2 + 1);
      expect(count(() => tree.inclusionProof(index, size))).toBeLessThanOrEqual(2 * log2 + 1);
      expect(count(() => tree.consistencyProof(from, size))).toBeLessThanOrEqual(2 * log2 + 2);
      expect(store.puts).toBeLessThan(2 * N);
    }
  });
});

describe('MerkleTree beyond 32-bit sizes', () => {
  // A tree of identical leaves: every perfect subtree at one level has the same hash, so a
  // store can serve a 2^45-leaf tree from 54 hashes, and the naive definitions reduce to
  // recursions over counts.
  const perfect: Buffer[] = [hashLeaf(Buffer.from('same'))];
  for (let l = 1; l <= 53; l += 1) perfect.push(hashChildren(perfect[l - 1]!, perfect[l - 1]!));

  class UniformStore implements HashStore {
    constructor(public size: number) {}
    get(level: number, index: number): Buffer | undefined {
      return (index + 1) * 2 ** level <= this.size ? Buffer.from(perfect[level]!) : undefined;
    }
    put(level: number, index: number, hash: Buffer): void {
      expect(hash.equals(perfect[level]!)).toBe(true);
      expect((index + 1) * 2 ** level).toBeLessThanOrEqual(this.size + 1);
      if (level === 0) this.size = index + 1;
    }
  }

  const mth = (n: number): Buffer => {
    if (n === 0) return EMPTY_ROOT;
    if (Number.isInteger(Math.log2(n))) return perfect[Math.log2(n)]!;
    const k = splitPoint(n);
    return hashChildren(mth(k), mth(n - k));
  };
  const path = (m: number, n: number): Buffer[] => {
    if (n <= 1) return [];
    const k = splitPoint(n);
    return m < k ? [...path(m, k), mth(n - k)] : [...path(m - k, n - k), mth(k)];
  };
  const subproof = (m: number, n: number, b: boolean): Buffer[] => {
    if (m === n) return b ? [] : [mth(n)];
    const k = splitPoint(n);
    return m <= k ? [...subproof(m, k, b), mth(n - k)] : [...subproof(m - k, n - k, false), mth(k)];
  };

  const size = 2 ** 45 + 2 ** 33 + 2 ** 32 + 12_345;
  const tree = new MerkleTree(new UniformStore(size), size);

  test('roots', () => {
    for (const s of [size, 2 ** 32, 2 ** 32 + 1, 2 ** 33 - 1, 2 ** 45 + 7]) expect(tree.root(s).equals(mth(s))).toBe(true);
  });

  test('inclusion proofs match PATH and verify', () => {
    for (const index of [0, 2 ** 32 - 1, 2 ** 32, 2 ** 44 + 5, size - 2, size - 1]) {
      const proof = tree.inclusionProof(index, size);
      expect(hex(proof)).toEqual(hex(path(index, size)));
      verifyInclusion(index, size, perfect[0]!, proof, mth(size));
    }
  });

  test('consistency proofs match PROOF and verify', () => {
    for (const from of [1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 3, 2 ** 45, 2 ** 45 + 2 ** 33 + 1, size - 1]) {
      const proof = tree.consistencyProof(from, size);
      expect(hex(proof)).toEqual(hex(subproof(from, size, true)));
      verifyConsistency(from, size, proof, mth(from), mth(size));
    }
  });

  test('an append that completes 33 levels at once', () => {
    const store = new UniformStore(2 ** 33 - 1);
    const t = new MerkleTree(store, 2 ** 33 - 1);
    t.append(perfect[0]!);
    expect(t.size).toBe(2 ** 33);
    expect(t.root().equals(perfect[33]!)).toBe(true);
  });
});

describe('MerkleTree errors', () => {
  const tree = build(leaves(8));

  test.each([
    ['root beyond the size', () => tree.root(9), 'size 9 is beyond tree size 8'],
    ['leaf hash at the size', () => tree.leafHash(8), 'index 8 is not below tree size 8'],
    ['inclusion index past the size', () => tree.inclusionProof(7, 5), 'index 7 is not below tree size 5'],
    ['inclusion size beyond the tree', () => tree.inclusionProof(0, 9), 'size 9 is beyond tree size 8'],
    ['consistency from > to', () => tree.consistencyProof(6, 4), 'from 6 is greater than to 4'],
    ['consistency to beyond the tree', () => tree.consistencyProof(1, 9), 'to 9 is beyond tree size 8'],
    ['negative index', () => tree.leafHash(-1), 'index -1 is not a non-negative safe integer'],
    ['fractional size', () => tree.root(1.5), 'size 1.5 is not a non-negative safe integer'],
    ['NaN from', () => tree.consistencyProof(NaN, 4), 'from NaN is not a non-negative safe integer'],
    ['short leaf hash', () => tree.append(Buffer.alloc(31)), 'leaf hash is 31 bytes, want 32 bytes'],
    ['negative size', () => new MerkleTree(new MemoryHashStore(), -1), 'size -1 is not a non-negative safe integer'],
  ])('%s', (_, f, message) => {
    expect(f).toThrow(TreeRangeError);
    expect(f).toThrow(RangeError);
    expect(f).toThrowError(new TreeRangeError(message));
    try {
      f();
    } catch (e) {
      expect((e as Error).name).toBe('TreeRangeError');
    }
  });

  test('a store missing hashes the size promises', () => {
    const t = new MerkleTree(new MemoryHashStore(), 5);
    expect(() => t.root()).toThrowError(new TreeStoreError('store has no hash at level 2 index 0 (tree size 5)'));
  });
});

describe('MemoryHashStore', () => {
  test('hands out copies, so callers cannot rewrite history', () => {
    const store = new MemoryHashStore();
    const tree = build(leaves(4), store);
    const root = tree.root();
    store.get(0, 1)![0] ^= 1;
    tree.inclusionProof(0, 4)[0]![0] ^= 1;
    tree.root()[0] ^= 1;
    tree.leafHash(2)[0] ^= 1;
    expect(tree.root().equals(root)).toBe(true);
    expect(tree.root(0).equals(EMPTY_ROOT)).toBe(true);
    tree.root(0)[0] ^= 1;
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  test('copies what it is given', () => {
    const store = new MemoryHashStore();
    const leaf = hashLeaf(Buffer.from('x'));
    const tree = new MerkleTree(store, 0);
    tree.append(leaf);
    leaf[0] ^= 1;
    expect(tree.root().equals(hashLeaf(Buffer.from('x')))).toBe(true);
  });

  test('is append-only', () => {
    const store = new MemoryHashStore();
    const a = Buffer.alloc(32, 1);
    store.put(3, 1000, a);
    store.put(3, 1000, Buffer.from(a));
    expect(store.get(3, 1000)?.equals(a)).toBe(true);
    expect(store.get(3, 999)).toBeUndefined();
    expect(store.get(4, 0)).toBeUndefined();
    expect(() => store.put(3, 1000, Buffer.alloc(32, 2))).toThrowError(
      new TreeStoreError('refusing to overwrite the hash at level 3 index 1000'),
    );
    expect(() => store.put(0, 0, Buffer.alloc(33))).toThrow(TreeStoreError);
  });
});
