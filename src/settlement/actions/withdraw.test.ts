// Withdraw's rules on an in-memory ledger: more than 0; only on a real-money ledger bound
// to a chain; never more than the prepaid balance (402, with the balance). What it
// records: the balance and the books' withdrawn total lowered, the journal line, and the
// withdrawal under the binding its voucher will name.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger } from '../../../test/fixtures/memoryLedgers.ts';
import { moneyKeys } from '../records.ts';

const alice = account();
const contracts = { chainId: 1, token: '0x' + 'a1'.repeat(20), vault: '0x' + 'b1'.repeat(20), distributor: '0x' + 'c1'.repeat(20), anchor: '0x' + 'd1'.repeat(20) };

function bound() {
  const l = memoryLedger({ money: 'real' });
  const binding = l.node({ type: 'BindChain', ...contracts }).index;
  l.node({ type: 'Deposit', account: alice.address, amount: '1000', source: `chain:1:${contracts.vault}:0` });
  return { l, binding };
}

describe('Withdraw', () => {
  it('takes prepaid money off the books under the current binding', () => {
    const { l, binding } = bound();
    const r = l.act(alice, { type: 'Withdraw', amount: '400' });
    expect(r.result).toEqual({ withdrawal: r.index, account: alice.id, amount: '400', balance: '600' });
    expect(l.state.get(moneyKeys.withdrawal(r.index))).toEqual({ index: r.index, account: alice.id, amount: '400', time: r.entry.time, binding });
    expect(l.state.get(moneyKeys.totals)).toEqual({ deposited: '1000', withdrawn: '400' });
    expect(l.journal.at(-1)).toMatchObject({ entry: r.index, from: alice.id, amount: '400' });
    // All of it: a zero balance is not kept in state.
    l.act(alice, { type: 'Withdraw', amount: '600' });
    expect(l.state.get(moneyKeys.balance(alice.id))).toBeUndefined();
  });

  it('refuses more than the balance with 402 and the balance', () => {
    const { l } = bound();
    const r = l.refusal(() => l.act(alice, { type: 'Withdraw', amount: '1001' }));
    expect(r).toMatchObject({ status: 402, field: 'action.amount', message: `${alice.id} has 1000 base units prepaid, less than the 1001 asked for`, details: { balance: '1000', amount: '1001' } });
    expect(l.refusal(() => l.act(account(), { type: 'Withdraw', amount: '1' }))).toMatchObject({ status: 402, details: { balance: '0' } });
  });

  it('refuses 0, a play-money ledger, and a real one bound to no chain', () => {
    const { l } = bound();
    expect(l.refusal(() => l.act(alice, { type: 'Withdraw', amount: '0' }))).toMatchObject({ status: 400, field: 'action.amount' });
    const play = memoryLedger();
    play.node({ type: 'Deposit', account: alice.address, amount: '5', source: 'faucet' });
    expect(play.refusal(() => play.act(alice, { type: 'Withdraw', amount: '5' }))).toMatchObject({ status: 403, field: 'action.type', message: expect.stringMatching(/play money never leaves the ledger/) });
    const unbound = memoryLedger({ money: 'real' });
    expect(unbound.refusal(() => unbound.act(alice, { type: 'Withdraw', amount: '5' }))).toMatchObject({ status: 409, field: 'action.type', message: expect.stringMatching(/bound to no chain yet/) });
  });
});
