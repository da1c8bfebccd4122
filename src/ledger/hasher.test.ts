// Tests of hasher.ts against published RFC 6962 vectors and at the boundary between its
// one-shot and streaming paths. Fixed expectations only: never derive a want from the code under test.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { EMPTY_ROOT, HASH_SIZE, hashChildren, hashLeaf } from '../nodeLedger/hasher.ts';
import { rfc6962, unhex } from './testdata/vectors.ts';

const v = rfc6962();

describe('hasher', () => {
  test('the empty root is SHA-256 of the empty string', () => {
    expect(EMPTY_ROOT.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(EMPTY_ROOT.toString('hex')).toBe(v.roots[0]);
  });

  test.each(v.hasher)('published vector: $desc', (c) => {
    const got = c.leaf !== undefined ? hashLeaf(unhex(c.leaf)) : hashChildren(unhex(c.left!), unhex(c.right!));
    expect(got.toString('hex')).toBe(c.want);
  });

  test('the leaf hashes of the RFC 6962 test tree', () => {
    v.leaves.forEach((leaf, i) => expect(hashLeaf(unhex(leaf)).toString('hex')).toBe(v.nodes[0]![i]));
  });

  test('leaves and nodes are domain-separated from each other and from plain SHA-256', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    const concat = Buffer.concat([a, b]);
    expect(hashLeaf(concat).equals(hashChildren(a, b))).toBe(false);
    expect(hashLeaf(concat).equals(createHash('sha256').update(concat).digest())).toBe(false);
    expect(hashChildren(a, b).equals(hashChildren(b, a))).toBe(false);
    expect(hashLeaf(concat)).toHaveLength(HASH_SIZE);
  });
});

describe('hasher input sizes', () => {
  // The small-input fast path and the streaming path must agree at and around the boundary.
  test.each([0, 1, 31, 32, 33, 1023, 1024, 1025, 5000])('%d bytes', (n) => {
    const data = Buffer.alloc(n, 0xab);
    const want = createHash('sha256').update(Buffer.from([0])).update(data).digest();
    expect(hashLeaf(data).equals(want)).toBe(true);
    const half = data.subarray(0, Math.floor(n / 2));
    const rest = data.subarray(Math.floor(n / 2));
    const node = createHash('sha256').update(Buffer.from([1])).update(half).update(rest).digest();
    expect(hashChildren(half, rest).equals(node)).toBe(true);
  });

  test('results do not alias each other', () => {
    const a = hashLeaf(Buffer.from('a'));
    const b = hashLeaf(Buffer.from('b'));
    expect(a.equals(b)).toBe(false);
    expect(a.equals(hashLeaf(Buffer.from('a')))).toBe(true);
  });
});
