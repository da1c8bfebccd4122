import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { largestRemainder, SplitError } from './largestRemainder.ts';

describe('largestRemainder', () => {
  it('sums exactly and breaks ties toward the earlier entry', () => {
    expect(largestRemainder([1n, 1n, 1n], 100n)).toEqual([34n, 33n, 33n]);
    expect(largestRemainder([2n, 1n], 10n)).toEqual([7n, 3n]);
    for (let t = 0; t < 200; t++) {
      const w = Array.from({ length: 1 + (t % 9) }, (_, i) => BigInt(((t * 7919 + i * 104729) % 1000) + 1));
      const amount = BigInt((t * 31337) % 1_000_000);
      expect(largestRemainder(w, amount).reduce((a, b) => a + b, 0n)).toBe(amount);
    }
  });
});

describe('largestRemainder properties', () => {
  it('never creates or loses a unit, and no part strays more than one unit from its exact share', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 30n }), { minLength: 1, maxLength: 20 }), fc.bigInt({ min: 0n, max: 10n ** 36n }), (w, amount) => {
        fc.pre(w.some((x) => x > 0n));
        const parts = largestRemainder(w, amount);
        const total = w.reduce((a, b) => a + b, 0n);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(amount);
        parts.forEach((p, i) => {
          const floor = (w[i] * amount) / total;
          expect(p === floor || p === floor + 1n).toBe(true);
        });
      }),
    );
  });

  it('refuses what it cannot split', () => {
    expect(() => largestRemainder([0n, 0n], 5n)).toThrow(SplitError);
    expect(() => largestRemainder([1n], -1n)).toThrow(/negative amount/);
    expect(() => largestRemainder([], 3n)).toThrow(/nobody/);
    expect(largestRemainder([], 0n)).toEqual([]);
  });
});
