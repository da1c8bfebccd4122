// Splitting an integer amount into integer parts in given proportions so that the parts
// sum exactly to it: everyone gets the floor of their exact share, and what is left goes
// one unit each to the largest remainders, ties to the earlier entry. Used for money and
// for attribution weights alike; integers only, so every machine gets the same parts.

export class SplitError extends Error {
  override readonly name = 'SplitError';
}

export function largestRemainder(weights: readonly bigint[], amount: bigint): bigint[] {
  if (amount < 0n) throw new SplitError(`cannot split a negative amount (${amount})`);
  if (weights.length === 0) {
    if (amount !== 0n) throw new SplitError(`nobody to give ${amount} to`);
    return [];
  }
  let total = 0n;
  for (const w of weights) {
    if (w < 0n) throw new SplitError(`weight ${w} is negative`);
    total += w;
  }
  if (total === 0n) throw new SplitError('weights sum to zero');
  const parts = weights.map((w) => (w * amount) / total);
  const order = weights.map((w, i) => ({ i, r: (w * amount) % total }));
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  order.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) parts[order[k].i] += 1n;
  return parts;
}
