// ReserveInference's rules on an in-memory ledger: a node action for a registered model;
// the most the call may cost (rounded up) must be in the caller's prepaid balance, or it
// is a 402 with the balance and the amount. What it records: that amount moved into the
// call's own hold account, and the hold with its expiry in sequenced time.
import { describe, expect, it } from 'vitest';
import { account, fund, memoryLedger, registerBase, registerModel } from '../../../test/fixtures/memoryLedgers.ts';
import { accounts } from '../../money/accounts.ts';
import { findHold, moneyKeys } from '../records.ts';

const owner = account();
const caller = account();
const reserve = (model: string, over: Record<string, unknown> = {}) => ({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 1000, maxTokens: 500, holder: 'node-a/call-1', ttlMs: 60_000, ...over });

describe('ReserveInference', () => {
  it('holds the most the call may cost from the prepaid balance', () => {
    const l = memoryLedger();
    const model = registerModel(l, owner, registerBase(l, owner));
    fund(l, caller, 5000n);
    // 1000 × 1000/1k + 500 × 2000/1k = 2000 base units.
    const r = l.node(reserve(model));
    expect(r.result).toEqual({ reservation: r.index, amount: '2000', balance: '3000' });
    expect(findHold(l.state, r.index)).toEqual({ reservation: r.index, model, requester: caller.id, inputTokens: 1000, maxTokens: 500, amount: '2000', holder: 'node-a/call-1', expires: r.entry.time + 60_000, time: r.entry.time });
    expect(l.state.get(moneyKeys.balance(accounts.hold(r.index)))).toBe('2000');
    expect(l.state.get(moneyKeys.balance(caller.id))).toBe('3000');
    expect(l.journal.at(-1)).toMatchObject({ from: caller.id, to: accounts.hold(r.index), amount: '2000', memo: 'reserve' });
  });

  it('rounds a fraction of a base unit up', () => {
    const l = memoryLedger();
    const model = registerModel(l, owner, registerBase(l, owner), { pricePer1kInput: '1', pricePer1kOutput: '0' });
    fund(l, caller, 1n);
    expect(l.node(reserve(model, { inputTokens: 1, maxTokens: 0 })).result.amount).toBe('1');
  });

  it('refuses more than the balance with 402, and an unknown model with 404', () => {
    const l = memoryLedger();
    const model = registerModel(l, owner, registerBase(l, owner));
    fund(l, caller, 1999n);
    const r = l.refusal(() => l.node(reserve(model)));
    expect(r).toMatchObject({ status: 402, field: 'action.requester', details: { balance: '1999', fee: '2000' } });
    expect(r.message).toMatch(/has 1999 base units prepaid .* may cost up to 2000 \(1000 prompt tokens, max_tokens 500\)/);
    expect(l.refusal(() => l.node(reserve('nope@1')))).toMatchObject({ status: 404, field: 'action.model', message: 'no model nope@1 (name@version)' });
  });
});
