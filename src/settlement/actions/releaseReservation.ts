// ReleaseReservation: the node gives back all of what an inference call held, because the
// call charged nothing (it never started, its backend failed, the client left before any
// text) or because its serving process is gone (a restart, or a cluster node that died and
// let the hold expire). A call that did generate is settled by its InferenceRecord instead,
// which releases the rest in the same entry. Never releases a hold twice.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { Book } from '../../money/book.ts';
import { findHold, moneyKeys } from '../records.ts';
import { accounts } from '../../money/accounts.ts';

export const releaseReservation: ActionDefinition<{ reservation: number }> = {
  type: 'ReleaseReservation',
  signer: 'node',
  description: 'The node returns what an inference call held to the requester’s prepaid balance, charging nothing.',
  fields: [{ name: 'reservation', type: 'uint64', description: 'The log index of the ReserveInference entry' }],
  apply(ctx, m) {
    const hold = findHold(ctx.state, m.reservation);
    if (!hold) throw reject.conflict('action.reservation', `no open reservation at entry ${m.reservation}: it was settled or released already, or never made`);
    const book = new Book(ctx.state);
    book.journal.transfer(accounts.hold(m.reservation), accounts.prepaid(hold.requester), BigInt(hold.amount), 'release', ctx.index);
    book.put(moneyKeys.hold(m.reservation), null);
    return {
      changes: book.changes(),
      effects: book.effects(),
      result: { reservation: m.reservation, released: hold.amount, balance: book.journal.balance(accounts.prepaid(hold.requester)).toString() },
    };
  },
};
