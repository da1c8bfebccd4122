// InferenceRecord: the node records that a model answered a request, with the tokens
// metered and the attribution weights of the output, and settles the fee at once, split
// exactly by the model's fee policy. A served call names the reservation it was held by
// (ReserveInference): the hold pays the fee, which can never exceed it, and the rest goes
// back to the prepaid balance in the same entry. Without a reservation (a dev record, or
// a hold already released) the prepaid balance pays, and a requester who cannot pay is
// refused (402) and nothing changes. The baseline part accrues in the model's pool, split
// over its training contributions at the epoch close.
import { findContribution } from '../../datanets/records.ts';
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { Book } from '../../money/book.ts';
import { type FeePolicy, inferenceFee } from '../feePolicy.ts';
import { InsufficientBalance, type Credit } from '../../money/journal.ts';
import { findHold, findModel, type ModelRecord, moneyKeys } from '../records.ts';
import { splitFee, type UsageWeight } from '../split.ts';
import { accounts } from '../../money/accounts.ts';

export interface InferenceRecordMessage {
  model: string;
  requester: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  contributions: number[];
  weightsPpm: number[];
  outputHash: string;
  /** The log index of the call's ReserveInference; 0 for none. */
  reservation: number;
}

export const MAX_ATTRIBUTED = 256;
const PPM = 1_000_000;

export function policyOf(model: ModelRecord): FeePolicy {
  return {
    pricePer1kInput: BigInt(model.policy.pricePer1kInput),
    pricePer1kOutput: BigInt(model.policy.pricePer1kOutput),
    shares: model.policy.shares,
    baselineBps: model.policy.baselineBps,
  };
}

export const inferenceRecord: ActionDefinition<InferenceRecordMessage> = {
  type: 'InferenceRecord',
  signer: 'node',
  description: 'The node records one inference, its metered tokens and attribution weights, and settles its fee.',
  fields: [
    { name: 'model', type: 'string', max: 80, description: 'name@version' },
    { name: 'requester', type: 'address', description: 'Who pays, from their prepaid balance' },
    { name: 'provider', type: 'address', description: 'The compute provider that served it' },
    { name: 'inputTokens', type: 'uint64' },
    { name: 'outputTokens', type: 'uint64' },
    { name: 'contributions', type: 'uint64[]', max: MAX_ATTRIBUTED, description: 'Contributions the output was attributed to, ascending' },
    { name: 'weightsPpm', type: 'uint64[]', max: MAX_ATTRIBUTED, description: 'Their weights, parts per million of the output; sum at most 1,000,000' },
    { name: 'outputHash', type: 'bytes32', description: 'SHA-256 of the output text' },
    { name: 'reservation', type: 'uint64', description: 'The log index of the ReserveInference that held the most this call may cost, which pays it; 0 for none (the prepaid balance pays)' },
  ],
  apply(ctx, m) {
    const model = findModel(ctx.state, m.model);
    if (!model) throw reject.notFound('action.model', `no model ${m.model} (name@version)`);
    if (m.weightsPpm.length !== m.contributions.length)
      throw reject.invalid('action.weightsPpm', `has ${m.weightsPpm.length} weights for ${m.contributions.length} contributions`);
    let ppm = 0;
    const usage: UsageWeight[] = [];
    for (let i = 0; i < m.contributions.length; i++) {
      const id = m.contributions[i];
      if (i > 0 && id <= m.contributions[i - 1]) throw reject.invalid(`action.contributions.${i}`, 'contributions must be strictly ascending');
      if (m.weightsPpm[i] === 0 || m.weightsPpm[i] > PPM) throw reject.invalid(`action.weightsPpm.${i}`, `must be from 1 to ${PPM}`);
      ppm += m.weightsPpm[i];
      const c = findContribution(ctx.state, id);
      if (!c) throw reject.notFound(`action.contributions.${i}`, `no contribution ${id}`);
      usage.push({ contribution: id, author: c.author, ppm: m.weightsPpm[i] });
    }
    if (ppm > PPM) throw reject.invalid('action.weightsPpm', `weights sum to ${ppm}, more than ${PPM}`);

    const policy = policyOf(model);
    const fee = inferenceFee(policy, m.inputTokens, m.outputTokens);
    const credits = splitFee({
      fee,
      policy,
      owner: model.owner,
      compute: m.provider,
      treasury: accounts.treasury,
      training: [],
      usage,
      baselinePool: model.trainingContributions > 0 ? accounts.pool(model.id) : undefined,
    });
    const book = new Book(ctx.state);
    // A hold released already (its process was presumed gone) leaves the prepaid balance to pay.
    const hold = m.reservation === 0 ? undefined : findHold(ctx.state, m.reservation);
    if (hold) {
      if (hold.requester !== m.requester || hold.model !== m.model)
        throw reject.invalid('action.reservation', `reservation ${m.reservation} holds money of ${hold.requester} for ${hold.model}, not of ${m.requester} for ${m.model}`);
      if (m.inputTokens !== hold.inputTokens || m.outputTokens > hold.maxTokens)
        throw reject.invalid(
          'action.outputTokens',
          `${m.inputTokens} input and ${m.outputTokens} output tokens exceed what reservation ${m.reservation} was made for (${hold.inputTokens} input, at most ${hold.maxTokens} output)`,
        );
    }
    const payer = hold ? accounts.hold(hold.reservation) : accounts.prepaid(m.requester);
    try {
      book.journal.settle(payer, credits.map(toJournal), ctx.index);
    } catch (e) {
      if (!(e instanceof InsufficientBalance)) throw e;
      throw reject.paymentRequired(
        'action.requester',
        `${m.requester} has ${e.balance} base units prepaid but this call to ${m.model} costs ${fee} ` +
          `(${m.inputTokens} input and ${m.outputTokens} output tokens): deposit more first`,
        { balance: e.balance.toString(), fee: fee.toString() },
      );
    }
    if (hold) {
      book.journal.transfer(payer, accounts.prepaid(m.requester), book.journal.balance(payer), 'release', ctx.index);
      book.put(moneyKeys.hold(hold.reservation), null);
    }

    const by = { data: 0n, owner: 0n, compute: 0n, treasury: 0n };
    for (const c of credits) {
      if (c.role === 'usage') {
        const dn = findContribution(ctx.state, c.contribution!)!.datanet;
        book.add(moneyKeys.contributionEarnings(c.contribution!), 'usage', c.amount);
        book.add(moneyKeys.datanetEarnings(dn), 'usage', c.amount);
        book.add(moneyKeys.accountEarnings(c.account), 'usage', c.amount);
      } else if (c.role === 'owner' || c.role === 'compute') book.add(moneyKeys.accountEarnings(c.account), c.role, c.amount);
      by[c.role === 'usage' || c.role === 'baseline' ? 'data' : c.role] += c.amount;
    }
    const view = moneyKeys.modelUsage(model.id);
    book.add(view, 'inferences', 1);
    book.add(view, 'inputTokens', m.inputTokens);
    book.add(view, 'outputTokens', m.outputTokens);
    book.add(view, 'fees', fee);
    for (const role of ['data', 'owner', 'compute', 'treasury'] as const) book.add(view, role, by[role]);
    return {
      changes: book.changes(),
      effects: book.effects(),
      result: {
        inference: ctx.index,
        requester: m.requester,
        fee: fee.toString(),
        split: credits.map((c) => ({ account: c.account, role: c.role, amount: c.amount.toString(), ...(c.contribution === undefined ? {} : { contribution: c.contribution }) })),
      },
    };
  },
};

/** Where a credit lands on the books: earnings for people, the pool for the baseline, the treasury. */
function toJournal(c: Credit): Credit {
  if (c.role === 'baseline' || c.role === 'treasury') return c;
  return { ...c, account: accounts.earnings(c.account) };
}
