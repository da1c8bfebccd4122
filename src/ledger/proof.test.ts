// Tests of proof.ts: every case in testdata/*.json (valid and tampered), the published RFC 6962
// proofs, proof sizes against the naive definitions, and the exact error messages. Expected
// outcomes come from the fixed vectors, never from the verifier under test.
import { describe, expect, test } from 'vitest';
import { EMPTY_ROOT, hashLeaf } from '../nodeLedger/hasher.ts';
import {
  consistencyProofSize,
  inclusionProofSize,
  ProofError,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from '../nodeLedger/proof.ts';
import { MemoryHashStore, MerkleTree } from '../nodeLedger/tree.ts';
import { leafData, renderConsistency, renderInclusion } from './testdata/generate.ts';
import { refPath, refProof } from './testdata/reference.ts';
import { consistencyCases, inclusionCases, readText, rfc6962, unhex } from './testdata/vectors.ts';

/** The ProofError code a call throws, or 'ok'. Anything else thrown fails the test. */
function outcome(f: () => void): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof ProofError)) throw e;
    return e.code;
  }
}

function thrown(f: () => unknown): ProofError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ProofError);
    return e as ProofError;
  }
  throw new Error('expected a ProofError');
}

describe('testdata vectors', () => {
  test('are what generate.ts writes today', () => {
    expect(readText('inclusion.json')).toBe(renderInclusion());
    expect(readText('consistency.json')).toBe(renderConsistency());
  });

  test.each(inclusionCases())('inclusion: $desc → $want', (c) => {
    const proof = c.proof.map(unhex);
    expect(outcome(() => verifyInclusion(c.index, c.size, unhex(c.leafHash), proof, unhex(c.root)))).toBe(c.want);
  });

  test.each(consistencyCases())('consistency: $desc → $want', (c) => {
    const proof = c.proof.map(unhex);
    expect(outcome(() => verifyConsistency(c.from, c.to, proof, unhex(c.fromRoot), unhex(c.toRoot)))).toBe(c.want);
  });

  test('cover every kind of failure', () => {
    const wants = new Set([...inclusionCases(), ...consistencyCases()].map((c) => c.want));
    expect([...wants].sort()).toEqual([
      'index-beyond-size',
      'invalid-argument',
      'ok',
      'root-mismatch',
      'size-order',
      'wrong-proof-size',
    ]);
  });
});

describe('published RFC 6962 proofs', () => {
  const v = rfc6962();
  const leafHashes = v.leaves.map((l) => hashLeaf(unhex(l)));

  test.each(v.inclusion)('inclusion of $index in $size verifies', (c) => {
    const proof = c.proof.map(unhex);
    verifyInclusion(c.index, c.size, leafHashes[c.index]!, proof, unhex(v.roots[c.size]!));
    expect(rootFromInclusionProof(c.index, c.size, leafHashes[c.index]!, proof).toString('hex')).toBe(v.roots[c.size]);
  });

  test.each(v.consistency)('consistency from $from to $to verifies', (c) => {
    verifyConsistency(c.from, c.to, c.proof.map(unhex), unhex(v.roots[c.from]!), unhex(v.roots[c.to]!));
  });
});

describe('proof sizes', () => {
  test('equal the naive PATH and PROOF lengths for every pair up to 64', () => {
    const data = Array.from({ length: 64 }, (_, i) => leafData(i));
    for (let size = 1; size <= 64; size += 1) {
      for (let index = 0; index < size; index += 1) {
        expect(inclusionProofSize(index, size)).toBe(refPath(index, data.slice(0, size)).length);
      }
      for (let from = 1; from <= size; from += 1) {
        expect(consistencyProofSize(from, size)).toBe(refProof(from, data.slice(0, size)).length);
      }
      expect(consistencyProofSize(0, size)).toBe(0);
    }
  });

  test('grow as log n far beyond 32 bits', () => {
    expect(inclusionProofSize(0, 2 ** 53 - 1)).toBe(53);
    expect(inclusionProofSize(2 ** 40, 2 ** 40 + 1)).toBe(1);
    expect(consistencyProofSize(2 ** 40, 2 ** 41)).toBe(1);
    expect(consistencyProofSize(2 ** 40 + 1, 2 ** 41)).toBe(42);
  });
});

describe('ProofError messages', () => {
  const data = Array.from({ length: 8 }, (_, i) => leafData(i));
  const tree = new MerkleTree(new MemoryHashStore(), 0);
  for (const d of data) tree.append(hashLeaf(d));
  const leaf = tree.leafHash(3);
  const proof = tree.inclusionProof(3, 8);
  const root = tree.root();

  test('index beyond the size', () => {
    const e = thrown(() => verifyInclusion(7, 5, leaf, proof, root));
    expect(e.code).toBe('index-beyond-size');
    expect(e.message).toBe('index 7 is beyond tree size 5');
    expect(e.name).toBe('ProofError');
  });

  test('wrong proof size, both ways', () => {
    expect(thrown(() => verifyInclusion(3, 8, leaf, proof.slice(0, 2), root)).message).toBe('wrong proof size 2, want 3');
    expect(thrown(() => verifyInclusion(3, 8, leaf, [...proof, root], root)).message).toBe('wrong proof size 4, want 3');
    expect(thrown(() => verifyConsistency(3, 8, [], tree.root(3), root)).message).toBe('wrong proof size 0, want 4');
    expect(thrown(() => verifyConsistency(0, 8, [root], EMPTY_ROOT, root)).message).toBe('wrong proof size 1, want 0');
    expect(thrown(() => verifyConsistency(5, 5, [root], tree.root(5), tree.root(5))).message).toBe(
      'wrong proof size 1, want 0',
    );
  });

  test('root mismatch names both roots, and carries them', () => {
    const wrong = Buffer.from(root);
    wrong[0] ^= 0x80;
    const e = thrown(() => verifyInclusion(3, 8, leaf, proof, wrong));
    expect(e.code).toBe('root-mismatch');
    expect(e.message).toBe(
      `root mismatch: computed ${root.toString('hex').slice(0, 16)}…, want ${wrong.toString('hex').slice(0, 16)}…`,
    );
    expect(Buffer.from(e.computed!).equals(root)).toBe(true);
    expect(Buffer.from(e.want!).equals(wrong)).toBe(true);
  });

  test('consistency failures say which root', () => {
    const p = tree.consistencyProof(3, 8);
    const r3 = tree.root(3);
    expect(thrown(() => verifyConsistency(3, 8, p, root, root)).message).toMatch(/^from root mismatch: computed [0-9a-f]{16}…, want/);
    expect(thrown(() => verifyConsistency(3, 8, p, r3, r3)).message).toMatch(/^to root mismatch: computed [0-9a-f]{16}…, want/);
    expect(thrown(() => verifyConsistency(4, 4, [], tree.root(4), r3)).message).toMatch(/^root mismatch at equal sizes 4: /);
    expect(thrown(() => verifyConsistency(0, 4, [], r3, tree.root(4))).message).toMatch(/^from root mismatch \(empty tree\): /);
  });

  test('size order', () => {
    const e = thrown(() => verifyConsistency(6, 4, [], root, root));
    expect(e.code).toBe('size-order');
    expect(e.message).toBe('from 6 is greater than to 4');
  });

  test.each([
    ['negative index', () => verifyInclusion(-1, 8, leaf, proof, root), 'index -1 is not a non-negative safe integer'],
    ['unsafe size', () => verifyInclusion(0, 2 ** 53, leaf, proof, root), 'size 9007199254740992 is not a non-negative safe integer'],
    ['fractional from', () => verifyConsistency(0.5, 8, [], root, root), 'from 0.5 is not a non-negative safe integer'],
    ['short leaf hash', () => verifyInclusion(3, 8, leaf.subarray(1), proof, root), 'leaf hash is 31 bytes, want 32'],
    ['long root', () => verifyInclusion(3, 8, leaf, proof, Buffer.alloc(33)), 'root is 33 bytes, want 32'],
    [
      'short proof hash',
      () => verifyInclusion(3, 8, leaf, [proof[0]!, proof[1]!.subarray(0, 31), proof[2]!], root),
      'proof hash 1 is 31 bytes, want 32',
    ],
    ['short to root', () => verifyConsistency(1, 8, [], root, Buffer.alloc(0)), 'to root is 0 bytes, want 32'],
    ['proof not an array', () => verifyInclusion(3, 8, leaf, 'abc' as unknown as Buffer[], root), 'proof is not an array of hashes'],
  ])('invalid argument: %s', (_, f, message) => {
    const e = thrown(f);
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toBe(message);
  });

  test('a single-leaf tree: the leaf is the root and the proof is empty', () => {
    const only = hashLeaf(Buffer.from('data'));
    verifyInclusion(0, 1, only, [], only);
    expect(outcome(() => verifyInclusion(0, 1, only, [], EMPTY_ROOT))).toBe('root-mismatch');
    expect(outcome(() => verifyInclusion(0, 0, only, [], only))).toBe('index-beyond-size');
    expect(outcome(() => verifyInclusion(1, 1, only, [], only))).toBe('index-beyond-size');
  });

  test('accepts plain Uint8Arrays as well as Buffers', () => {
    const u8 = (b: Buffer): Uint8Array => new Uint8Array(b);
    verifyInclusion(3, 8, u8(leaf), proof.map(u8), u8(root));
    verifyConsistency(3, 8, tree.consistencyProof(3, 8).map(u8), u8(tree.root(3)), u8(root));
  });
});
