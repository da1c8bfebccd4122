// Deposit: the node credits an account's prepaid balance. The chain watcher logs one
// per confirmed on-chain deposit (its source names the chain, the vault and the deposit
// id, and is credited once only, however often the watcher sees it); without a chain,
// only the dev-mode faucet does. A node action, so no account can mint itself money.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { Book } from '../book.ts';
import { accounts, moneyKeys } from '../records.ts';

export interface DepositMessage {
  account: string;
  amount: string;
  source: string;
}

export const deposit: ActionDefinition<DepositMessage> = {
  type: 'Deposit',
  signer: 'node',
  description: "The node credits an account's prepaid balance: a confirmed on-chain deposit, or the dev-mode faucet.",
  fields: [
    { name: 'account', type: 'address' },
    { name: 'amount', type: 'uint256', description: 'Base units (18 decimals)' },
    { name: 'source', type: 'string', max: 128, description: '"faucet", or where on chain the deposit was made' },
  ],
  apply(ctx, m) {
    const value = BigInt(m.amount);
    if (value === 0n) throw reject.invalid('action.amount', 'must be more than 0');
    if (m.source === '') throw reject.invalid('action.source', 'must say where the money came from');
    const onChain = m.source.startsWith('chain:');
    if (onChain && ctx.state.get(moneyKeys.chainDeposit(m.source)) !== undefined)
      throw reject.conflict('action.source', `deposit ${m.source} was already credited`);
    const book = new Book(ctx.state);
    book.journal.deposit(accounts.prepaid(m.account), value, ctx.index);
    return {
      changes: [...book.changes(), ...(onChain ? [{ key: moneyKeys.chainDeposit(m.source), value: ctx.index }] : [])],
      effects: book.effects(),
      result: { account: m.account, balance: book.journal.balance(accounts.prepaid(m.account)).toString() },
    };
  },
};
