// CloseEpoch's rules on an in-memory ledger: epochs close in order, and only when
// something was earned since the last. What it records: each model's baseline pool split
// over its training contributions by tokens, every account's unpaid earnings paid out
// (off the books), cumulative payouts, the epoch with its payout-tree root, and the
// payout leaves it changed.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, servedModel } from '../../../test/fixtures/memoryLedgers.ts';
import { PayoutTree } from '../payoutTree.ts';
import { accounts } from '../../money/accounts.ts';
import { type EpochRecord, moneyKeys } from '../records.ts';

const owner = account();
const alice = account();
const bob = account();
const caller = account();
const provider = account();

function earned() {
  const served = servedModel({ owner, authors: [alice, bob], caller, provider });
  const infer = () => served.l.node(served.record());
  infer();
  return { ...served, infer };
}

describe('CloseEpoch', () => {
  it('splits the pool by tokens, pays every account out and fixes the payout root', () => {
    const { l, model, contributions } = earned();
    const r = l.node({ type: 'CloseEpoch', epoch: 1 });
    // Pool 500 over 30 and 10 tokens: 375 and 125. Alice also has 500 usage.
    const paid = { [alice.id]: '875', [bob.id]: '125', [owner.id]: '400', [provider.id]: '400' };
    const root = PayoutTree.build(Object.entries(paid).map(([account, a]) => ({ account, amount: BigInt(a) }))).root;
    expect(r.result).toEqual({ epoch: 1, root, accounts: 4, paid: '1800' });
    expect(l.state.get<EpochRecord>(moneyKeys.epoch(1))).toEqual({ epoch: 1, root, accounts: 4, cumulative: '1800', paid: '1800', changed: 4, logSize: r.index, time: r.entry.time });
    expect(l.state.get(moneyKeys.epochCount)).toBe(1);
    for (const [a, amount] of Object.entries(paid)) {
      expect(l.state.get(moneyKeys.paid(a))).toBe(amount);
      expect(l.state.get(moneyKeys.balance(accounts.earnings(a)))).toBeUndefined();
    }
    expect(l.state.get(moneyKeys.balance(accounts.pool(model)))).toBeUndefined();
    expect(l.state.get(moneyKeys.balance('treasury'))).toBe('200');
    expect(l.state.get(moneyKeys.totals)).toEqual({ deposited: '10000', withdrawn: '1800' });
    expect(l.views.get(moneyKeys.contributionEarnings(contributions[1]))).toEqual({ baseline: '125' });
    expect(l.views.get(moneyKeys.accountEarnings(alice.id))).toEqual({ usage: '500', baseline: '375' });
    expect(l.payouts.sort((a, b) => (a.account < b.account ? -1 : 1))).toEqual(
      Object.entries(paid).map(([account, cumulative]) => ({ epoch: 1, account, cumulative })).sort((a, b) => (a.account < b.account ? -1 : 1)),
    );
  });

  it('keeps cumulative amounts across epochs, with the unchanged accounts still in the tree', () => {
    const { l, infer } = earned();
    l.node({ type: 'CloseEpoch', epoch: 1 });
    const before = l.payouts.length;
    infer();
    const r = l.node({ type: 'CloseEpoch', epoch: 2 });
    expect(r.result).toMatchObject({ epoch: 2, accounts: 4, paid: '1800' });
    expect(l.state.get(moneyKeys.paid(alice.id))).toBe('1750');
    expect(l.payouts.slice(before).every((p) => p.epoch === 2)).toBe(true);
  });

  it('refuses an epoch out of order, and one with nothing earned', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.node({ type: 'CloseEpoch', epoch: 2 }))).toMatchObject({ status: 409, field: 'action.epoch', message: 'the next epoch to close is 1, not 2' });
    expect(l.refusal(() => l.node({ type: 'CloseEpoch', epoch: 1 }))).toMatchObject({ status: 409, field: 'action.epoch', message: 'nothing has been earned yet' });
    const e = earned();
    e.l.node({ type: 'CloseEpoch', epoch: 1 });
    expect(e.l.refusal(() => e.l.node({ type: 'CloseEpoch', epoch: 2 }))).toMatchObject({ status: 409, message: 'nothing was earned since epoch 1' });
  });
});
