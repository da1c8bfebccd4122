import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFeePolicy, FeePolicyError, inferenceFee, type FeePolicy } from './feePolicy.ts';
import { splitFee } from './split.ts';

const policy = (over: Partial<FeePolicy> = {}): FeePolicy => ({
  pricePer1kInput: 10n ** 15n,
  pricePer1kOutput: 3n * 10n ** 15n,
  shares: { data: 5000, owner: 2500, compute: 2000, treasury: 500 },
  baselineBps: 3000,
  ...over,
});
const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');

describe('fee policy', () => {
  it('prices per thousand tokens, rounding up', () => {
    expect(inferenceFee(policy(), 1000, 1000)).toBe(4n * 10n ** 15n);
    expect(inferenceFee(policy({ pricePer1kInput: 1n, pricePer1kOutput: 0n }), 1, 0)).toBe(1n);
  });
  it('refuses shares that do not sum to 10,000 bps, naming the field', () => {
    expect(() => checkFeePolicy(policy({ shares: { data: 5000, owner: 2500, compute: 2000, treasury: 400 } }))).toThrow(/shares: must sum to 10000 basis points, not 9900/);
    expect(() => checkFeePolicy(policy({ baselineBps: 10_001 }))).toThrow(FeePolicyError);
  });
});

describe('splitFee', () => {
  const base = { owner: addr(1), compute: addr(2), treasury: addr(3) };

  it('pays baseline and usage as declared', () => {
    const credits = splitFee({
      ...base,
      fee: 1_000_000n,
      policy: policy(),
      training: [
        { contribution: 10, author: addr(10), tokens: 300 },
        { contribution: 11, author: addr(11), tokens: 100 },
      ],
      usage: [{ contribution: 11, author: addr(11), ppm: 500_000 }],
    });
    const by = (role: string, c?: number) => credits.filter((x) => x.role === role && (c === undefined || x.contribution === c)).reduce((s, x) => s + x.amount, 0n);
    expect(by('owner')).toBe(250_000n);
    expect(by('compute')).toBe(200_000n);
    expect(by('treasury')).toBe(50_000n);
    expect(by('baseline', 10)).toBe(112_500n); // 30% of 500,000, three quarters of it
    expect(by('baseline', 11)).toBe(37_500n);
    expect(by('usage', 11)).toBe(350_000n);
  });

  it('falls back to the baseline when attribution found nothing', () => {
    const credits = splitFee({ ...base, fee: 1000n, policy: policy(), training: [{ contribution: 1, author: addr(9), tokens: 5 }], usage: [] });
    expect(credits.find((c) => c.role === 'baseline')!.amount).toBe(500n);
    expect(credits.some((c) => c.role === 'usage')).toBe(false);
  });

  it('never creates or loses a unit, whatever the fee, policy and weights', () => {
    const bps4 = fc
      .tuple(fc.nat(10_000), fc.nat(10_000), fc.nat(10_000))
      .map(([a, b, c]) => {
        const [x, y, z] = [a, b, c].sort((p, q) => p - q);
        return { data: x, owner: y - x, compute: z - y, treasury: 10_000 - z };
      });
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        bps4,
        fc.nat(10_000),
        fc.array(fc.record({ contribution: fc.nat(50), author: fc.nat(20).map(addr), tokens: fc.nat(10_000) }), { maxLength: 12 }),
        fc.array(fc.record({ contribution: fc.nat(50), author: fc.nat(20).map(addr), ppm: fc.nat(1_000_000) }), { maxLength: 12 }),
        (fee, shares, baselineBps, training, usage) => {
          const uniq = <T extends { contribution: number }>(xs: T[]) => [...new Map(xs.map((x) => [x.contribution, x])).values()];
          const credits = splitFee({ ...base, fee, policy: policy({ shares, baselineBps }), training: uniq(training), usage: uniq(usage) });
          expect(credits.reduce((s, c) => s + c.amount, 0n)).toBe(fee);
          for (const c of credits) expect(c.amount > 0n).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is deterministic: input order does not matter', () => {
    const training = [
      { contribution: 3, author: addr(3), tokens: 7 },
      { contribution: 1, author: addr(1), tokens: 7 },
      { contribution: 2, author: addr(2), tokens: 7 },
    ];
    const a = splitFee({ ...base, fee: 100n, policy: policy(), training, usage: [] });
    const b = splitFee({ ...base, fee: 100n, policy: policy(), training: [...training].reverse(), usage: [] });
    expect(a).toEqual(b);
  });
});
