// Token amounts as people type them ("2.5" tokens) and as the node keeps them
// (base units, 18 decimals, a bigint). Exact both ways: no floating point ever touches
// money, and an amount finer than one base unit is refused rather than rounded.
import { DECIMALS, formatTokens, UNIT } from '../format/tokens.ts';
import { UsageError } from './errors.ts';

export { DECIMALS, formatTokens };

/** "2.5" → 2500000000000000000n. Throws UsageError naming `what` for anything else. */
export function parseTokens(text: string, what = 'amount'): bigint {
  const m = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be a number of tokens like 10 or 0.25, got ${JSON.stringify(text)}`);
  const frac = m[2] ?? '';
  if (frac.length > DECIMALS) throw new UsageError(`${what} has more than ${DECIMALS} decimals: the smallest unit is 0.${'0'.repeat(DECIMALS - 1)}1`);
  const value = BigInt(m[1]) * UNIT + BigInt(frac.padEnd(DECIMALS, '0'));
  if (value >= 1n << 256n) throw new UsageError(`${what} is too large`);
  return value;
}
