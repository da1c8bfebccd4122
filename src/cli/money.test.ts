import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTokens, parseTokens } from './money.ts';

describe('token amounts', () => {
  it('parses and prints exactly', () => {
    expect(parseTokens('2.5')).toBe(2_500_000_000_000_000_000n);
    expect(parseTokens('0.000000000000000001')).toBe(1n);
    expect(formatTokens(1n)).toBe('0.000000000000000001');
    expect(formatTokens('1000000000000000000')).toBe('1');
    expect(formatTokens(0n)).toBe('0');
  });

  it('refuses what it cannot hold exactly, naming the option', () => {
    expect(() => parseTokens('1.0000000000000000001', '--amount')).toThrow(/--amount has more than 18 decimals/);
    expect(() => parseTokens('-1', '--price-in')).toThrow(/--price-in must be a number of tokens/);
    expect(() => parseTokens('1e3')).toThrow(/must be a number of tokens/);
  });

  it('round-trips every amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 255n) - 1n }), (v) => {
        expect(parseTokens(formatTokens(v))).toBe(v);
      }));
  });
});
