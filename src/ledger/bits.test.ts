// Tests of bits.ts across the whole 53-bit range, with BigInt as the oracle. Must never rely
// on 32-bit operators for its expectations, or it would share the bugs it looks for.
import { describe, expect, test } from 'vitest';
import { bitLength, isCount, popCount, shiftRight, trailingZeros, xor } from './bits.ts';

// BigInt is the oracle: slow but exact over the whole 53-bit range.
const samples = [
  0, 1, 2, 3, 7, 8, 255, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 12345, 2 ** 52, 2 ** 53 - 1,
  6_004_799_503_160_661,
];

describe('bits beyond 32', () => {
  test.each(samples)('%d', (x) => {
    const b = BigInt(x);
    const bin = b.toString(2);
    expect(bitLength(x)).toBe(x === 0 ? 0 : bin.length);
    expect(popCount(x)).toBe([...bin].filter((c) => c === '1').length);
    if (x > 0) expect(trailingZeros(x)).toBe(bin.length - 1 - bin.lastIndexOf('1'));
    for (const y of samples) expect(xor(x, y)).toBe(Number(b ^ BigInt(y)));
    for (const n of [0, 1, 5, 31, 32, 33, 52]) expect(shiftRight(x, n)).toBe(Number(b >> BigInt(n)));
  });

  test('isCount accepts exactly the safe non-negative integers', () => {
    expect([0, 1, 2 ** 53 - 1].every(isCount)).toBe(true);
    expect([-1, 1.5, 2 ** 53, NaN, Infinity, '1', 1n].some(isCount)).toBe(false);
  });
});
