// A model's fee policy: what an inference costs, and how the fee is shared between the
// data contributors, the model owner, the compute provider and the protocol treasury,
// and, within the data share, between a baseline (every contribution in the training
// snapshot, pro rata to its tokens) and usage (this inference's attribution weights).
// Fixed when a model version is registered; checked here, once.

export const BPS = 10_000;

export interface FeePolicy {
  /** Base units (18 decimals) per 1,000 input tokens. */
  pricePer1kInput: bigint;
  /** Base units per 1,000 output tokens. */
  pricePer1kOutput: bigint;
  /** Basis points, summing to 10,000. */
  shares: { data: number; owner: number; compute: number; treasury: number };
  /** Basis points of the data share paid as baseline; the rest follows attribution. */
  baselineBps: number;
}

export class FeePolicyError extends Error {
  override readonly name = 'FeePolicyError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const MAX_UINT256 = (1n << 256n) - 1n;

export function checkFeePolicy(p: FeePolicy): FeePolicy {
  for (const [field, v] of [
    ['pricePer1kInput', p.pricePer1kInput],
    ['pricePer1kOutput', p.pricePer1kOutput],
  ] as const)
    if (v < 0n || v > MAX_UINT256) throw new FeePolicyError(field, `must be between 0 and 2^256-1 base units`);
  let sum = 0;
  for (const [name, bps] of Object.entries(p.shares)) {
    if (!Number.isInteger(bps) || bps < 0 || bps > BPS) throw new FeePolicyError(`shares.${name}`, `must be whole basis points from 0 to ${BPS}`);
    sum += bps;
  }
  if (sum !== BPS) throw new FeePolicyError('shares', `must sum to ${BPS} basis points, not ${sum}`);
  if (!Number.isInteger(p.baselineBps) || p.baselineBps < 0 || p.baselineBps > BPS)
    throw new FeePolicyError('baselineBps', `must be whole basis points from 0 to ${BPS}`);
  return p;
}

/** The fee of one inference: rounded up, so that a token is never served for free. */
export function inferenceFee(p: FeePolicy, inputTokens: number, outputTokens: number): bigint {
  const milli = BigInt(inputTokens) * p.pricePer1kInput + BigInt(outputTokens) * p.pricePer1kOutput;
  return (milli + 999n) / 1000n;
}
