// The split of one inference's fee, exactly: four shares by basis points, the data
// share into baseline and usage parts, the baseline pro rata to the training tokens of
// each contribution, the usage part by this inference's attribution weights. Every
// division is a largest-remainder split, so the parts always sum to the fee. When
// attribution found nothing, the usage part goes to the baseline: the people whose data
// built the model are paid whenever it is used. Pure; no clock, no I/O.
import { largestRemainder } from '../protocol/largestRemainder.ts';
import type { Credit, Role } from '../money/journal.ts';
import { BPS, type FeePolicy } from './feePolicy.ts';

export interface TrainingContribution {
  contribution: number;
  author: string;
  /** Accepted tokens of this contribution in the model's training snapshot. */
  tokens: number;
}

export interface UsageWeight {
  contribution: number;
  author: string;
  /** Attribution weight (parts per million of the output). */
  ppm: number;
}


export interface SplitInput {
  fee: bigint;
  policy: FeePolicy;
  owner: string;
  compute: string;
  treasury: string;
  training: readonly TrainingContribution[];
  usage: readonly UsageWeight[];
  /**
   * Credit the baseline to this one account instead of splitting it over `training`
   * now: a model's baseline accrues in a pool that the epoch close splits over its
   * training contributions, so that an inference writes a handful of journal lines
   * whatever the size of the training set. `training` must then be empty.
   */
  baselinePool?: string;
}

export function splitFee(x: SplitInput): Credit[] {
  const s = x.policy.shares;
  const [data, owner, compute, treasury] = largestRemainder([s.data, s.owner, s.compute, s.treasury].map(BigInt), x.fee);
  const credits: Credit[] = [];
  const push = (account: string, role: Role, amount: bigint, contribution?: number) => {
    if (amount > 0n) credits.push({ account, role, amount, ...(contribution === undefined ? {} : { contribution }) });
  };

  const training = [...x.training].filter((t) => t.tokens > 0).sort((a, b) => a.contribution - b.contribution);
  const usage = [...x.usage].filter((u) => u.ppm > 0).sort((a, b) => a.contribution - b.contribution);
  let treasuryExtra = 0n;
  if (data > 0n) {
    let [baseline, used] = largestRemainder([BigInt(x.policy.baselineBps), BigInt(BPS - x.policy.baselineBps)], data);
    if (usage.length === 0) {
      baseline += used;
      used = 0n;
    }
    if (x.baselinePool !== undefined) {
      if (training.length > 0) throw new RangeError('a pooled baseline is split at the epoch close: pass no training contributions');
      push(x.baselinePool, 'baseline', baseline);
      baseline = 0n;
    } else if (training.length === 0) {
      // No training data to credit (a model without a datanet): usage may still be paid.
      if (usage.length > 0) used += baseline;
      else treasuryExtra += baseline;
      baseline = 0n;
    }
    if (baseline > 0n)
      largestRemainder(training.map((t) => BigInt(t.tokens)), baseline).forEach((a, i) => push(training[i].author, 'baseline', a, training[i].contribution));
    if (used > 0n)
      largestRemainder(usage.map((u) => BigInt(u.ppm)), used).forEach((a, i) => push(usage[i].author, 'usage', a, usage[i].contribution));
  }
  push(x.owner, 'owner', owner);
  push(x.compute, 'compute', compute);
  push(x.treasury, 'treasury', treasury + treasuryExtra);
  return credits;
}
