// ReleaseReservation's rules on an in-memory ledger: only an open hold is released, and
// only once. What it records: all of the hold back to the caller's prepaid balance, the
// hold gone, nothing charged.
import { describe, expect, it } from 'vitest';
import { account, fund, memoryLedger, registerBase, registerModel } from '../../../test/fixtures/memoryLedgers.ts';
import { accounts } from '../../money/accounts.ts';
import { findHold, moneyKeys } from '../records.ts';

const owner = account();
const caller = account();

describe('ReleaseReservation', () => {
  it('returns all of a hold, once', () => {
    const l = memoryLedger();
    const model = registerModel(l, owner, registerBase(l, owner));
    fund(l, caller, 5000n);
    const hold = l.node({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 1000, maxTokens: 500, holder: 'a/1', ttlMs: 1 }).index;
    const r = l.node({ type: 'ReleaseReservation', reservation: hold });
    expect(r.result).toEqual({ reservation: hold, released: '2000', balance: '5000' });
    expect(findHold(l.state, hold)).toBeUndefined();
    expect(l.state.get(moneyKeys.balance(accounts.hold(hold)))).toBeUndefined();
    expect(l.journal.at(-1)).toMatchObject({ from: accounts.hold(hold), to: caller.id, amount: '2000', memo: 'release' });
    expect(l.refusal(() => l.node({ type: 'ReleaseReservation', reservation: hold }))).toMatchObject({
      status: 409,
      field: 'action.reservation',
      message: `no open reservation at entry ${hold}: it was settled or released already, or never made`,
    });
  });

  it('refuses a reservation that was never made', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.node({ type: 'ReleaseReservation', reservation: 0 }))).toMatchObject({ status: 409, field: 'action.reservation' });
  });
});
