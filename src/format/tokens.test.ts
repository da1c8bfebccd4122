import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatTokens } from './tokens.ts';

describe('formatTokens, shared by the CLI and the explorer', () => {
  it('prints base units as trimmed tokens, from a bigint or a decimal string', () => {
    expect(formatTokens(1_500_000_000_000_000_000n)).toBe('1.5');
    expect(formatTokens('1000000000000000')).toBe('0.001');
    expect(formatTokens(0n)).toBe('0');
  });

  it('prints a negative amount (a journal debit on the explorer) with one sign in front', () => {
    expect(formatTokens(-1n)).toBe('-0.000000000000000001');
    expect(formatTokens(-2_500_000_000_000_000_000n)).toBe('-2.5');
  });

  it('is the mirror image for negatives', () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: (1n << 255n) - 1n }), (v) => {
        expect(formatTokens(-v)).toBe('-' + formatTokens(v));
      }));
  });
});
