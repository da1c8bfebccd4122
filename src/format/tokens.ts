// Token amounts as people read them ("2.5" tokens) from base units (18 decimals, a bigint
// or its decimal string), exactly: no floating point ever touches money. Shared by the CLI
// and the explorer (web/), so it must never import node:* or anything of the server.

export const DECIMALS = 18;
export const UNIT = 10n ** BigInt(DECIMALS);

/** 2500000000000000000n → "2.5", -1n → "-0.000000000000000001"; base units as a decimal string also accepted. */
export function formatTokens(units: bigint | string): string {
  const v = typeof units === 'string' ? BigInt(units) : units;
  const a = v < 0n ? -v : v;
  const frac = (a % UNIT).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${v < 0n ? '-' : ''}${a / UNIT}${frac ? '.' + frac : ''}`;
}
