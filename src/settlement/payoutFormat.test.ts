// The payout format on its own, without the builder: a fixed vector taken from
// @openzeppelin/merkle-tree 1.0.8 (the one payoutTree.test.ts builds), checked leaf hash,
// proof root and verifier, and that tampering or malformed input never verifies. What a
// claimant's CLI runs, so it must hold with no tree built in the process.
import { describe, expect, it } from 'vitest';
import { MalformedPayoutProofError, PayoutAmountError, PayoutProofMismatchError, assertPayoutProof, payoutLeafHash, payoutProofRoot, verifyPayoutProof } from './payoutFormat.ts';

const ROOT = '0x90d280a8a82e9232c8bf94b57149d28c43c6ba78a042ea5125c30e57bf7c48da';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const PROOF = ['0xdbab0b93196101a262b6f891b5786c9868513d8fc48f8757ee197f9cf288d94b', '0x3b12cb32f3999170db8c5d21024dd4d0d1b20f406870036eb44a85fa7e4238a1'];

describe('the payout format against the library’s fixed vector', () => {
  it('hashes the leaf and walks the proof to the published root', () => {
    expect(payoutLeafHash(ACCOUNT, 5n)).toBe('0xdc984b7043e0c8ae8e70bc0e6568af0135198234df994ba88ca915bbf0734048');
    expect(payoutProofRoot(ACCOUNT, 5n, PROOF)).toBe(ROOT);
    expect(verifyPayoutProof(ROOT, ACCOUNT.toUpperCase().replace('0X', '0x'), 5n, PROOF)).toBe(true);
    expect(() => assertPayoutProof(ROOT, ACCOUNT, 5n, PROOF)).not.toThrow();
  });

  it('does not verify another amount, a swapped proof or another root', () => {
    expect(verifyPayoutProof(ROOT, ACCOUNT, 6n, PROOF)).toBe(false);
    expect(verifyPayoutProof(ROOT, ACCOUNT, 5n, [PROOF[1]!, PROOF[0]!])).toBe(false);
    expect(verifyPayoutProof(ROOT.replace(/a$/, 'b'), ACCOUNT, 5n, PROOF)).toBe(false);
    expect(() => assertPayoutProof(ROOT, ACCOUNT, 6n, PROOF)).toThrow(PayoutProofMismatchError);
  });

  it('throws on malformed input rather than answering false', () => {
    expect(() => verifyPayoutProof('0x90d2', ACCOUNT, 5n, PROOF)).toThrow(MalformedPayoutProofError);
    expect(() => verifyPayoutProof(ROOT, ACCOUNT, 5n, [PROOF[0]!, 'zz'])).toThrow('proof[1] is "zz", want 0x followed by 64 hex digits');
    expect(() => verifyPayoutProof(ROOT, ACCOUNT, -1n, PROOF)).toThrow(PayoutAmountError);
    expect(() => verifyPayoutProof(ROOT, ACCOUNT, 5 as unknown as bigint, PROOF)).toThrow(PayoutAmountError);
  });
});
