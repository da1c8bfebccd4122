// Checks the payout tree against its reference, OpenZeppelin's StandardMerkleTree with
// types ["address", "uint256"]: same root, same leaf hashes, same proofs, and each side's
// verifier accepts the other's proofs, on random sets of accounts and amounts. Also the
// precise errors, and that tampering fails verification. The library is used here and in
// the bench only; these tests must never be weakened to "the roots look plausible":
// on-chain claims verify against exactly this format.
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toChecksumAddress } from '../protocol/address.ts';
import {
  DuplicatePayoutAccountError,
  EmptyPayoutTreeError,
  MalformedPayoutProofError,
  PayoutAddressError,
  PayoutAmountError,
  PayoutProofMismatchError,
  PayoutTreeError,
  UnknownPayoutAccountError,
  assertPayoutProof,
  payoutLeafHash,
  payoutProofRoot,
  verifyPayoutProof,
  type PayoutLeaf,
} from './payoutFormat.ts';
import { PayoutTree, sortRecords } from './payoutTree.ts';

const TYPES = ['address', 'uint256'];
const MAX = (1n << 256n) - 1n;

const reference = (leaves: PayoutLeaf[]) => StandardMerkleTree.of(leaves.map((l) => [l.account, l.amount.toString()]), TYPES);
const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`;

/** Any valid spelling of an address: lowercase, uppercase or EIP-55. */
const addressArb = fc
  .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.constantFrom('lower', 'upper', 'checksum'))
  .map(([bytes, style]) => {
    const lower = hex(bytes);
    if (style === 'upper') return `0x${lower.slice(2).toUpperCase()}`;
    return style === 'checksum' ? toChecksumAddress(lower) : lower;
  });

/** The extremes, small amounts, 18-decimal token amounts and the whole uint256 range. */
const amountArb = fc.oneof(
  fc.constant(0n),
  fc.constant(MAX),
  fc.bigInt({ min: 0n, max: 1000n }),
  fc.bigInt({ min: 0n, max: 10n ** 30n }),
  fc.bigInt({ min: 0n, max: MAX }),
);

const leavesArb = (size: number) =>
  fc.uniqueArray(fc.record({ account: addressArb, amount: amountArb }), {
    minLength: size,
    maxLength: size,
    selector: (l) => l.account.toLowerCase(),
  });

/** Everything the library says about `leaves` equals what ours says; `sample` limits the proofs compared. */
function expectSameAsLibrary(leaves: PayoutLeaf[], ours: PayoutTree, sample = Infinity): void {
  const lib = reference(leaves);
  expect(ours.root).toBe(lib.root);
  expect(ours.size).toBe(leaves.length);
  const step = Math.max(1, Math.floor(leaves.length / sample));
  for (let i = 0; i < leaves.length; i += step) {
    const { account, amount } = leaves[i];
    const value = [account, amount.toString()];
    const proof = ours.proof(account);
    expect(proof).toEqual(lib.getProof(i));
    expect(ours.leafHash(account)).toBe(lib.leafHash(value));
    expect(payoutLeafHash(account, amount)).toBe(lib.leafHash(value));
    expect(ours.amount(account)).toBe(amount);
    expect(verifyPayoutProof(ours.root, account, amount, proof)).toBe(true);
    expect(StandardMerkleTree.verify(lib.root, TYPES, value, proof)).toBe(true);
  }
}

describe('PayoutTree against StandardMerkleTree', () => {
  it('matches a fixed vector taken from @openzeppelin/merkle-tree 1.0.8', () => {
    const leaves = [
      { account: '0x1111111111111111111111111111111111111111', amount: 5n },
      { account: '0x2222222222222222222222222222222222222222', amount: 7n },
      { account: '0x3333333333333333333333333333333333333333', amount: 0n },
      { account: '0x4444444444444444444444444444444444444444', amount: 9n },
      { account: '0x5555555555555555555555555555555555555555', amount: 1n },
    ];
    const tree = PayoutTree.build(leaves);
    // The library's dump(): leaves sorted by hash ascending, placed from the end of the
    // array (0x93… at position 8, 0xdd… at 4).
    expect(tree.root).toBe('0x90d280a8a82e9232c8bf94b57149d28c43c6ba78a042ea5125c30e57bf7c48da');
    expect(tree.leafHash(leaves[0].account)).toBe('0xdc984b7043e0c8ae8e70bc0e6568af0135198234df994ba88ca915bbf0734048');
    expect(tree.proof(leaves[0].account)).toEqual([
      '0xdbab0b93196101a262b6f891b5786c9868513d8fc48f8757ee197f9cf288d94b',
      '0x3b12cb32f3999170db8c5d21024dd4d0d1b20f406870036eb44a85fa7e4238a1',
    ]);
    expectSameAsLibrary(leaves, tree);
  });

  for (const size of [1, 2, 3, 4, 5, 7, 8, 9, 33]) {
    it(`agrees on random sets of ${size}`, () => {
      fc.assert(
        fc.property(leavesArb(size), (leaves) => expectSameAsLibrary(leaves, PayoutTree.build(leaves))),
        { numRuns: size <= 9 ? 60 : 25 },
      );
    });
  }

  it('agrees on random sets of 1000 (a sample of proofs)', () => {
    fc.assert(
      fc.property(leavesArb(1000), (leaves) => expectSameAsLibrary(leaves, PayoutTree.build(leaves), 100)),
      { numRuns: 4 },
    );
  });

  it('orders accounts that share their last bytes, as vanity addresses do', () => {
    const leaves = Array.from({ length: 200 }, (_, i) => ({
      account: `0x${i.toString(16).padStart(8, '0')}${'ab'.repeat(12)}deadbeef`,
      amount: BigInt(i),
    }));
    const tree = PayoutTree.build(leaves);
    expectSameAsLibrary(leaves, tree);
    expect(() => PayoutTree.build([...leaves, { account: leaves[77].account, amount: 1n }])).toThrow(DuplicatePayoutAccountError);
  });

  it('gives the same tree on worker threads, and the workers take part', () => {
    const leaves = fc.sample(leavesArb(5000), { numRuns: 1, seed: 7 })[0];
    const one = PayoutTree.build(leaves, { threads: 1 });
    const two = PayoutTree.build(leaves, { threads: 2, chunk: 16, awaitWorkers: true });
    expect(two.stats.threads).toBe(2);
    expect(two.stats.workersJoined).toBe(1);
    expect(two.root).toBe(one.root);
    for (let i = 0; i < leaves.length; i += 7) expect(two.proof(leaves[i].account)).toEqual(one.proof(leaves[i].account));
    expectSameAsLibrary(leaves, two, 50);
  });

  it('fails cleanly with workers running when a late leaf is bad', () => {
    const leaves = fc.sample(leavesArb(3000), { numRuns: 1, seed: 8 })[0];
    const bad = leaves.map((l, i) => (i === 2500 ? { ...l, amount: -1n } : l));
    expect(() => PayoutTree.build(bad, { threads: 2, chunk: 16, awaitWorkers: true })).toThrow(PayoutAmountError);
    // And the next build works, so nothing was left waiting.
    expect(PayoutTree.build(leaves, { threads: 2, chunk: 16 }).root).toBe(PayoutTree.build(leaves).root);
  });
});

describe('sortRecords', () => {
  it('orders records that share their key word by all their bytes, stably', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1, 0xffffffff), fc.uint8Array({ minLength: 2, maxLength: 2 })), { minLength: 1, maxLength: 300 }),
        (records) => {
          // 8-byte records: a key word drawn from three values, then two bytes that repeat often.
          const buf = Buffer.alloc(records.length * 8);
          records.forEach(([key, rest], i) => {
            buf.writeUInt32BE(key, i * 8);
            buf.set(rest, i * 8 + 4);
          });
          const want = records.map((_, i) => i).sort((a, b) => Buffer.compare(buf.subarray(a * 8, a * 8 + 8), buf.subarray(b * 8, b * 8 + 8)) || a - b);
          expect([...sortRecords(buf, records.length, 8, 0, 8, 0)]).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('lookups', () => {
  const leaves = [
    { account: '0x52908400098527886E0F7030069857D2E4169EE7', amount: 10n },
    { account: '0xde709f2102306220921060314715629080e2fb77', amount: 20n },
    { account: '0x27B1FDB04752BBC536007A920D24ACB045561C26', amount: 30n },
  ];
  const tree = PayoutTree.build(leaves);

  it('finds accounts in any valid case and lists the leaves lowercase', () => {
    for (const { account, amount } of leaves) {
      for (const spelling of [account, account.toLowerCase(), toChecksumAddress(account)]) {
        expect(tree.has(spelling)).toBe(true);
        expect(tree.amount(spelling)).toBe(amount);
        expect(tree.proof(spelling)).toEqual(tree.proof(account));
      }
    }
    expect([...tree.entries()]).toEqual(leaves.map((l) => ({ account: l.account.toLowerCase(), amount: l.amount })));
    expect(tree.has('0x0000000000000000000000000000000000000001')).toBe(false);
  });

  it('refuses an account it does not hold, precisely', () => {
    const absent = '0x0000000000000000000000000000000000000001';
    for (const f of [() => tree.proof(absent), () => tree.leafHash(absent), () => tree.amount(absent)]) {
      expect(f).toThrow(UnknownPayoutAccountError);
      expect(f).toThrow(`account ${absent} has no leaf in this payout tree`);
    }
    expect(() => tree.proof('0x1234')).toThrow(PayoutAddressError);
  });

  it('gives a one-leaf tree an empty proof, its root being the leaf', () => {
    const one = PayoutTree.build([leaves[0]]);
    expect(one.proof(leaves[0].account)).toEqual([]);
    expect(one.root).toBe(one.leafHash(leaves[0].account));
    expect(verifyPayoutProof(one.root, leaves[0].account, 10n, [])).toBe(true);
  });
});

describe('errors when building', () => {
  const a = '0x1111111111111111111111111111111111111111';
  const b = '0x2222222222222222222222222222222222222222';
  const c = '0x3333333333333333333333333333333333333333';

  it('refuses an empty set', () => {
    expect(() => PayoutTree.build([])).toThrow(EmptyPayoutTreeError);
  });

  it('names the first repeated account, whatever its case', () => {
    const upper = `0x${b.slice(2).toUpperCase()}`;
    const leaves = [
      { account: a, amount: 1n },
      { account: b, amount: 2n },
      { account: c, amount: 3n },
      { account: upper, amount: 4n },
      { account: a, amount: 5n },
    ];
    try {
      PayoutTree.build(leaves);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DuplicatePayoutAccountError);
      expect(e).toBeInstanceOf(PayoutTreeError);
      const d = e as DuplicatePayoutAccountError;
      expect([d.name, d.account, d.firstIndex, d.index]).toEqual(['DuplicatePayoutAccountError', b, 1, 3]);
      expect(d.message).toBe(`account ${b} appears twice, at leaves 1 and 3; merge its amounts into one cumulative leaf`);
    }
  });

  it.each([
    [-1n, 'negative'],
    [1n << 256n, 'at least 2^256'],
    [5, 'not a bigint'],
    ['5', 'not a bigint'],
  ] as const)('refuses the amount %s (%s)', (amount, reason) => {
    const leaves = [
      { account: a, amount: 1n },
      { account: b, amount: amount as bigint },
    ];
    try {
      PayoutTree.build(leaves);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PayoutAmountError);
      expect((e as PayoutAmountError).reason).toBe(reason);
      expect((e as PayoutAmountError).index).toBe(1);
      expect((e as Error).message).toMatch(/^leaf 1: amount .* is /);
    }
  });

  it('accepts exactly 0 and 2^256-1', () => {
    const tree = PayoutTree.build([
      { account: a, amount: 0n },
      { account: b, amount: MAX },
    ]);
    expect(tree.amount(b)).toBe(MAX);
    expectSameAsLibrary(
      [
        { account: a, amount: 0n },
        { account: b, amount: MAX },
      ],
      tree,
    );
  });

  it.each([
    ['0x1234', '4 hex digits, want 40'],
    ['1111111111111111111111111111111111111111', 'missing "0x" prefix'],
    ['0x111111111111111111111111111111111111111g', 'non-hex character "g" at position 41'],
    ['0x52908400098527886E0F7030069857D2E4169Ee7', 'EIP-55 checksum mismatch (the checksummed form is 0x52908400098527886E0F7030069857D2E4169EE7)'],
    [undefined, 'not a string'],
  ])('refuses the address %s', (account, reason) => {
    try {
      PayoutTree.build([
        { account: a, amount: 1n },
        { account: account as string, amount: 1n },
      ]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PayoutAddressError);
      expect((e as PayoutAddressError).reason).toBe(reason);
      expect((e as PayoutAddressError).index).toBe(1);
      expect((e as Error).message).toContain(`leaf 1: invalid address`);
    }
  });
});

describe('verifyPayoutProof', () => {
  const leaves = fc.sample(leavesArb(9), { numRuns: 1, seed: 3 })[0];
  const tree = PayoutTree.build(leaves);
  const { account, amount } = leaves[4];
  const proof = tree.proof(account);
  const flip = (h: string) => `${h.slice(0, -1)}${h.endsWith('0') ? '1' : '0'}`;

  it('accepts the proof, in any case of root and account', () => {
    expect(verifyPayoutProof(tree.root, account, amount, proof)).toBe(true);
    expect(verifyPayoutProof(tree.root.toUpperCase().replace('0X', '0x'), account.toLowerCase(), amount, proof)).toBe(true);
    expect(() => assertPayoutProof(tree.root, account, amount, proof)).not.toThrow();
  });

  it('rejects every kind of tampering, as the library does', () => {
    const other = leaves[5];
    const tampered: Array<[string, string, bigint, string[]]> = [
      ['amount + 1', account, amount === MAX ? amount - 1n : amount + 1n, proof],
      ['another account', other.account, amount, proof],
      ['a flipped sibling', account, amount, [flip(proof[0]), ...proof.slice(1)]],
      ['a flipped last sibling', account, amount, [...proof.slice(0, -1), flip(proof[proof.length - 1])]],
      ['a sibling dropped', account, amount, proof.slice(0, -1)],
      ['a sibling added', account, amount, [...proof, proof[0]]],
      ['siblings swapped', account, amount, [proof[1], proof[0], ...proof.slice(2)]],
      ['another leaf’s proof', account, amount, tree.proof(other.account)],
    ];
    for (const [why, acct, amt, p] of tampered) {
      expect(verifyPayoutProof(tree.root, acct, amt, p), why).toBe(false);
      expect(StandardMerkleTree.verify(tree.root, TYPES, [acct, amt.toString()], p), why).toBe(false);
      try {
        assertPayoutProof(tree.root, acct, amt, p);
        expect.unreachable(why);
      } catch (e) {
        expect(e, why).toBeInstanceOf(PayoutProofMismatchError);
        const m = e as PayoutProofMismatchError;
        expect(m.computedRoot).toBe(payoutProofRoot(acct, amt, p));
        expect(m.message).toBe(`the proof for ${acct.toLowerCase()} with amount ${amt} leads to root ${m.computedRoot}, want ${tree.root}`);
      }
    }
    expect(verifyPayoutProof(flip(tree.root), account, amount, proof)).toBe(false);
  });

  it('throws on malformed input rather than answering false', () => {
    expect(() => verifyPayoutProof('0x1234', account, amount, proof)).toThrow(MalformedPayoutProofError);
    expect(() => verifyPayoutProof('0x1234', account, amount, proof)).toThrow('root is "0x1234", want 0x followed by 64 hex digits');
    expect(() => verifyPayoutProof(tree.root, account, amount, [proof[0], 'zz'])).toThrow('proof[1] is "zz", want 0x followed by 64 hex digits');
    expect(() => verifyPayoutProof(tree.root, account, -5n, proof)).toThrow(PayoutAmountError);
    expect(() => verifyPayoutProof(tree.root, '0xnope', amount, proof)).toThrow(PayoutAddressError);
  });
});
