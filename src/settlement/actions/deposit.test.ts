// Deposit's rules on an in-memory ledger: a node action only; more than 0; from the
// faucet on a play-money ledger, and only from the bound vault, once per deposit, on a
// real-money one. What it records: the prepaid balance, the books' deposited total, the
// journal line, and for a chain deposit the mark that it was credited.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger } from '../../../test/fixtures/memoryLedgers.ts';
import { moneyKeys } from '../records.ts';

const alice = account();
const contracts = { chainId: 1, token: '0x' + 'a1'.repeat(20), vault: '0x' + 'b1'.repeat(20), distributor: '0x' + 'c1'.repeat(20), anchor: '0x' + 'd1'.repeat(20) };

describe('Deposit', () => {
  it('credits the faucet on a play-money ledger: balance, totals, journal', () => {
    const l = memoryLedger();
    const r = l.node({ type: 'Deposit', account: alice.address, amount: '1000', source: 'faucet' });
    l.node({ type: 'Deposit', account: alice.address, amount: '1', source: 'faucet' });
    expect(r.result).toEqual({ account: alice.id, balance: '1000' });
    expect(l.state.get(moneyKeys.balance(alice.id))).toBe('1001');
    expect(l.state.get(moneyKeys.totals)).toEqual({ deposited: '1001', withdrawn: '0' });
    expect(l.journal.map((j) => [j.entry, j.to, j.amount])).toEqual([
      [r.index, alice.id, '1000'],
      [r.index + 1, alice.id, '1'],
    ]);
  });

  it('refuses 0, an empty source, and a chain deposit on a play-money ledger', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '0', source: 'faucet' }))).toMatchObject({ status: 400, field: 'action.amount', message: 'must be more than 0' });
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '1', source: '' }))).toMatchObject({ status: 400, field: 'action.source' });
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '1', source: `chain:1:${contracts.vault}:0` }))).toMatchObject({
      status: 403,
      field: 'action.source',
      message: expect.stringMatching(/credited only by the dev faucet/),
    });
  });

  it('on a real-money ledger credits each deposit into the bound vault once', () => {
    const l = memoryLedger({ money: 'real' });
    const source = `chain:1:${contracts.vault}:5`;
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '1', source }))).toMatchObject({ status: 409, message: expect.stringMatching(/bound to no chain yet/) });
    l.node({ type: 'BindChain', ...contracts });
    const r = l.node({ type: 'Deposit', account: alice.address, amount: '70', source });
    expect(l.state.get(moneyKeys.chainDeposit(source))).toBe(r.index);
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '70', source }))).toMatchObject({ status: 409, field: 'action.source', message: `deposit ${source} was already credited` });
    expect(l.refusal(() => l.node({ type: 'Deposit', account: alice.address, amount: '1', source: 'faucet' }))).toMatchObject({ status: 403, field: 'action.source' });
    expect(l.state.get(moneyKeys.balance(alice.id))).toBe('70');
  });

  it('cannot be signed by an account', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(alice, { type: 'Deposit', account: alice.address, amount: '1000', source: 'faucet' }))).toMatchObject({ status: 401, field: 'signature' });
  });
});
