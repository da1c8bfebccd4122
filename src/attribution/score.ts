// Turns matched spans into contribution weights, in integers only, so that every
// machine computes the same bytes: a span of length L found in `count` places of an
// index of N tokens weighs L·log2(N/count) (log2 in 32-bit fixed point, computed with
// integer arithmetic), split equally over the distinct contributions holding it; the
// attributed share of the output is then divided among contributions in parts per
// million by largest remainder, ties to the lower contribution id. Never uses floats.
import { largestRemainder as split } from '../protocol/largestRemainder.ts';
import type { SpanMatch } from './spans.ts';

export const PPM = 1_000_000;
const FRACTION_BITS = 32n;
const ONE = 1n << FRACTION_BITS;

/** log2(v) for an integer v ≥ 1, in fixed point with 32 fractional bits, exactly reproducible. */
export function log2Fixed(v: bigint): bigint {
  if (v < 1n) throw new RangeError(`log2 of ${v}`);
  let e = 0n;
  while (v >> (e + 1n) > 0n) e++;
  // Mantissa in [1, 2) with 32 fractional bits, then one bit per squaring.
  let x = e >= FRACTION_BITS ? v >> (e - FRACTION_BITS) : v << (FRACTION_BITS - e);
  let result = e << FRACTION_BITS;
  for (let bit = FRACTION_BITS - 1n; bit >= 0n; bit--) {
    x = (x * x) >> FRACTION_BITS;
    if (x >= 2n * ONE) {
      x >>= 1n;
      result |= 1n << bit;
    }
  }
  return result;
}

/** LCM of 1..n: scaling by it makes every equal split of a span's weight an integer. */
export function lcmUpTo(n: number): bigint {
  const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
  let l = 1n;
  for (let k = 2n; k <= BigInt(n); k++) l = (l / gcd(l, k)) * k;
  return l;
}

export interface ContributionShare {
  contribution: number;
  /** Parts per million of the whole output. */
  ppm: number;
  /** The raw weight (fixed point, scaled), as a decimal string, for auditors. */
  weight: string;
  spans: number;
}

export interface Scored {
  attributedPpm: number;
  unattributedPpm: number;
  contributions: ContributionShare[];
}

/**
 * Scores spans against an index of `indexTokens` live tokens for a query of `queryTokens`.
 * The attributed share is the fraction of query tokens covered by spans that credit someone.
 */
export function score(spans: SpanMatch[], queryTokens: number, indexTokens: number, maxOccurrences: number): Scored {
  const credited = spans.filter((s) => s.contributions.length > 0 && s.count !== null);
  const covered = new Uint8Array(queryTokens);
  for (const s of credited) covered.fill(1, s.start, s.end);
  const coveredTokens = covered.reduce((a, b) => a + b, 0);
  const attributedPpm = queryTokens === 0 ? 0 : Math.floor((coveredTokens * PPM) / queryTokens);

  const scale = lcmUpTo(maxOccurrences);
  const logN = log2Fixed(BigInt(Math.max(1, indexTokens)));
  const weights = new Map<number, { w: bigint; spans: number }>();
  for (const s of credited) {
    const idf = logN - log2Fixed(BigInt(s.count!));
    const w = BigInt(s.end - s.start) * (idf > 0n ? idf : 0n) * scale;
    const share = w / BigInt(s.contributions.length); // exact: the scale holds every divisor ≤ maxOccurrences
    for (const c of s.contributions) {
      const cur = weights.get(c) ?? { w: 0n, spans: 0 };
      cur.w += share;
      cur.spans++;
      weights.set(c, cur);
    }
  }

  const entries = [...weights.entries()].sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, v]) => s + v.w, 0n);
  // When every credited span was as common as the index is long, all weights are zero: split equally.
  const ppm = split(total === 0n ? entries.map(() => 1n) : entries.map(([, v]) => v.w), entries.length === 0 ? 0n : BigInt(attributedPpm)).map(Number);
  const contributions = entries
    .map(([id, v], i) => ({ contribution: id, ppm: ppm[i], weight: v.w.toString(), spans: v.spans }))
    .sort((a, b) => b.ppm - a.ppm || a.contribution - b.contribution);
  const sum = contributions.reduce((s, c) => s + c.ppm, 0);
  const attributed = entries.length === 0 ? 0 : attributedPpm;
  if (sum !== attributed) throw new Error(`ppm sum ${sum} != attributed ${attributed} (scoring bug)`);
  return { attributedPpm: attributed, unattributedPpm: PPM - attributed, contributions };
}
