// CloseEpoch: the node closes a payout epoch. Every model's baseline pool is split over
// its training contributions pro rata to their tokens; every account's unpaid earnings
// then leave the node's books as a payout; and the payout tree over each account's
// cumulative payout is built, its root the value the PayoutDistributor will hold. The
// root is computed here, in apply, so that every replay recomputes it from the log.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { largestRemainder } from '../../protocol/largestRemainder.ts';
import { Book } from '../../money/book.ts';
import { PayoutTree } from '../payoutTree.ts';
import { type EpochRecord, epochCount, findModel, moneyKeys, type TrainingRow } from '../records.ts';
import { accounts, amount } from '../../money/accounts.ts';

export interface CloseEpochMessage {
  epoch: number;
}

export const closeEpoch: ActionDefinition<CloseEpochMessage> = {
  type: 'CloseEpoch',
  signer: 'node',
  description: "The node closes a payout epoch: splits the models' baseline pools, pays out earnings, and fixes the payout tree's root.",
  fields: [{ name: 'epoch', type: 'uint64', description: 'The epoch being closed: one more than the last' }],
  apply(ctx, m) {
    const last = epochCount(ctx.state);
    if (m.epoch !== last + 1) throw reject.conflict('action.epoch', `the next epoch to close is ${last + 1}, not ${m.epoch}`);
    const book = new Book(ctx.state);
    const j = book.journal;

    for (const [key, text] of ctx.state.list<string>(moneyKeys.poolPrefix)) {
      const modelId = key.slice(moneyKeys.poolPrefix.length);
      const pool = accounts.pool(modelId);
      const training = ctx.state.get<TrainingRow[]>(moneyKeys.training(modelId)) ?? [];
      // A training set is one datanet version, so every row is in the model's datanet.
      const datanet = findModel(ctx.state, modelId)!.datanet;
      // A pool exists only for models with training tokens (see InferenceRecord).
      const parts = largestRemainder(training.map((r) => BigInt(r[2])), amount(text));
      training.forEach(([contribution, author], i) => {
        if (parts[i] === 0n) return;
        j.transfer(pool, accounts.earnings(author), parts[i], `baseline:${contribution}`, ctx.index);
        book.add(moneyKeys.contributionEarnings(contribution), 'baseline', parts[i]);
        book.add(moneyKeys.datanetEarnings(datanet), 'baseline', parts[i]);
        book.add(moneyKeys.accountEarnings(author), 'baseline', parts[i]);
      });
    }

    // Every account with unpaid earnings now, including those the pools just paid.
    const unpaid = new Map<string, bigint>();
    for (const [key, text] of ctx.state.list<string>(moneyKeys.earningsBalancePrefix)) unpaid.set(key.slice(moneyKeys.balancePrefix.length), amount(text));
    for (const [account, b] of j.touched()) if (account.startsWith('earnings:')) unpaid.set(account, b);
    const changed: Array<{ account: string; cumulative: string }> = [];
    let paid = 0n;
    for (const [account, b] of [...unpaid].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (b === 0n) continue;
      const address = account.slice('earnings:'.length);
      j.withdraw(account, b, ctx.index, `payout:${m.epoch}`);
      const cumulative = amount(ctx.state.get<string>(moneyKeys.paid(address))) + b;
      book.put(moneyKeys.paid(address), cumulative.toString());
      changed.push({ account: address, cumulative: cumulative.toString() });
      paid += b;
    }
    if (changed.length === 0) throw reject.conflict('action.epoch', last === 0 ? 'nothing has been earned yet' : `nothing was earned since epoch ${last}`);

    const changedSet = new Map(changed.map((c) => [c.account, BigInt(c.cumulative)]));
    const leaves = ctx.state
      .list<string>(moneyKeys.paidPrefix)
      .map(([key, text]) => ({ account: key.slice(moneyKeys.paidPrefix.length), amount: amount(text) }))
      .filter((l) => !changedSet.has(l.account));
    for (const [account, value] of changedSet) leaves.push({ account, amount: value });
    const tree = PayoutTree.build(leaves);
    const record: EpochRecord = {
      epoch: m.epoch,
      root: tree.root,
      accounts: leaves.length,
      cumulative: leaves.reduce((s, l) => s + l.amount, 0n).toString(),
      paid: paid.toString(),
      changed: changed.length,
      logSize: ctx.index,
      time: ctx.time,
    };
    book.put(moneyKeys.epoch(m.epoch), { ...record });
    book.put(moneyKeys.epochCount, m.epoch);
    return {
      changes: book.changes(),
      effects: [...book.effects(), { kind: 'payouts', epoch: m.epoch, leaves: changed }],
      result: { epoch: m.epoch, root: tree.root, accounts: record.accounts, paid: record.paid },
    };
  },
};
