// Deposit: the node credits an account's prepaid balance. On a real-money ledger the
// chain watcher logs one per confirmed deposit into the bound vault (its source names the
// chain, the vault and the deposit id, and is credited once only, however often the
// watcher sees it); on a play-money ledger only the dev faucet does. A node action, so no
// account can mint itself money, and the two colours of money never mix: faucet credit on
// a real ledger, or a chain deposit on a play one, is refused.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { Book } from '../../money/book.ts';
import { ledgerMoney } from '../../protocol/genesis.ts';
import { chainBinding, chainDepositSource, moneyKeys } from '../records.ts';
import { accounts } from '../../money/accounts.ts';

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
    if (ledgerMoney(ctx.state) === 'real') {
      const bound = chainBinding(ctx.state);
      if (!bound) throw reject.conflict('action.source', 'this real-money ledger is bound to no chain yet: deposits come only from the bound vault');
      const prefix = chainDepositSource(bound, '');
      if (!m.source.startsWith(prefix) || !/^\d+$/.test(m.source.slice(prefix.length)))
        throw reject.forbidden('action.source', `a real-money ledger credits only deposits into its bound vault (${prefix}<deposit id>), not ${JSON.stringify(m.source)}`);
    } else if (m.source !== 'faucet') {
      throw reject.forbidden('action.source', `a play-money ledger is credited only by the dev faucet (source "faucet"), not ${JSON.stringify(m.source)}`);
    }
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
