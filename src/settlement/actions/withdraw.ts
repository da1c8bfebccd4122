// Withdraw: an account takes unspent prepaid balance back to the chain. The amount leaves
// the node's books at once; the entry's log index is the nonce of the EIP-712 voucher the
// node then signs, which the DepositVault pays out exactly once. Only a real-money ledger
// bound to a chain takes withdrawals: play money never leaves the ledger, and the voucher
// names the vault of the binding the withdrawal was made under.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { Book } from '../../money/book.ts';
import { ledgerMoney } from '../../protocol/genesis.ts';
import { chainBinding, moneyKeys, type WithdrawalRecord } from '../records.ts';
import { accounts } from '../../money/accounts.ts';

export const withdraw: ActionDefinition<{ amount: string }> = {
  type: 'Withdraw',
  signer: 'user',
  description: 'Take unspent prepaid balance back: the node signs a voucher the deposit vault pays once (GET /v1/withdrawals/:index/voucher).',
  fields: [{ name: 'amount', type: 'uint256', description: 'Base units (18 decimals)' }],
  apply(ctx, m) {
    const value = BigInt(m.amount);
    if (value === 0n) throw reject.invalid('action.amount', 'must be more than 0');
    if (ledgerMoney(ctx.state) !== 'real')
      throw reject.forbidden('action.type', 'this ledger holds play money (its genesis entry says so): play money never leaves the ledger, so there is nothing to withdraw on chain');
    const bound = chainBinding(ctx.state);
    if (!bound) throw reject.conflict('action.type', 'this ledger is bound to no chain yet: there is nowhere to pay a withdrawal out');
    const book = new Book(ctx.state);
    const have = book.journal.balance(accounts.prepaid(ctx.signer));
    if (have < value)
      throw reject.paymentRequired('action.amount', `${ctx.signer} has ${have} base units prepaid, less than the ${value} asked for`, { balance: have.toString(), amount: value.toString() });
    book.journal.withdraw(accounts.prepaid(ctx.signer), value, ctx.index);
    const record: WithdrawalRecord = { index: ctx.index, account: ctx.signer, amount: value.toString(), time: ctx.time, binding: bound.index };
    return {
      changes: [...book.changes(), { key: moneyKeys.withdrawal(ctx.index), value: { ...record } }],
      effects: book.effects(),
      result: { withdrawal: ctx.index, account: ctx.signer, amount: value.toString(), balance: book.journal.balance(accounts.prepaid(ctx.signer)).toString() },
    };
  },
};
