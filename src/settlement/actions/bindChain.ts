// BindChain: the node records where a real-money ledger settles on chain (the EVM chain
// id and the token, vault, distributor and anchor contracts). Deposits are credited only
// from the bound vault, withdrawal vouchers name it, and payout roots go to the bound
// distributor, so the binding is part of the record that every replay sees.
//
// It must never let money be paid twice. A second binding would otherwise make the node
// sign vouchers again for withdrawals the old vault already paid, and post every
// cumulative root again to a fresh distributor. So re-binding is refused once any money
// moved under the current binding (a deposit credited, a withdrawal, an epoch's payout);
// a play-money ledger is never bound at all.
import type { ActionDefinition } from '../../protocol/action.ts';
import { type ActionRejected, reject } from '../../protocol/errors.ts';
import { ledgerMoney } from '../../protocol/genesis.ts';
import type { StateReader } from '../../protocol/state.ts';
import { type ChainBinding, chainBinding, moneyKeys } from '../records.ts';
import { type MoneyTotals } from '../../money/accounts.ts';

export interface BindChainMessage {
  chainId: number;
  token: string;
  vault: string;
  distributor: string;
  anchor: string;
}

const CONTRACTS = ['token', 'vault', 'distributor', 'anchor'] as const;

export const bindChain: ActionDefinition<BindChainMessage> = {
  type: 'BindChain',
  signer: 'node',
  description:
    'The node binds a real-money ledger to an EVM chain and its contracts. Refused on a play-money ledger, and refused as a re-binding once money moved under the current binding.',
  fields: [
    { name: 'chainId', type: 'uint64', description: 'The EVM chain id the contracts live on' },
    { name: 'token', type: 'address' },
    { name: 'vault', type: 'address', description: 'The DepositVault: deposits are credited from it, vouchers name it' },
    { name: 'distributor', type: 'address', description: 'The PayoutDistributor payout roots are posted to' },
    { name: 'anchor', type: 'address', description: 'The LogAnchor checkpoints are anchored in' },
  ],
  apply(ctx, m) {
    if (m.chainId === 0) throw reject.invalid('action.chainId', 'must be an EVM chain id, not 0');
    const to = { chainId: m.chainId, token: m.token.toLowerCase(), vault: m.vault.toLowerCase(), distributor: m.distributor.toLowerCase(), anchor: m.anchor.toLowerCase() };
    const refusal = bindingRefusal(ctx.state, to);
    if (refusal) throw refusal;
    const totals = ctx.state.get<MoneyTotals>(moneyKeys.totals) ?? { deposited: '0', withdrawn: '0' };
    const old = chainBinding(ctx.state);
    const binding: ChainBinding = { index: ctx.index, ...to, totals: { ...totals }, time: ctx.time };
    return {
      changes: [{ key: moneyKeys.chainBinding, value: { ...binding, totals: { ...totals } } }],
      result: { binding: ctx.index, chainId: m.chainId, vault: to.vault, rebound: old !== undefined },
    };
  },
};

/**
 * Why binding the ledger to these contracts would be refused, or undefined if it may be:
 * a play-money ledger, the same binding again, or money moved under the current one.
 * `tributary chain deploy` asks the same before it spends gas on a deployment.
 */
export function bindingRefusal(state: StateReader, to: Pick<ChainBinding, 'chainId' | (typeof CONTRACTS)[number]>): ActionRejected | undefined {
  if (ledgerMoney(state) !== 'real')
    return reject.forbidden(
      'action.type',
      'this ledger holds play money (its genesis entry says so): it can never be bound to a chain, since faucet credit would then be paid out of real deposits; start a real-money ledger (TRIBUTARY_MONEY=real, or NODE_ENV=production) in a new data directory',
    );
  const old = chainBinding(state);
  if (!old) return undefined;
  if (isBoundTo(state, to))
    return reject.conflict('action.vault', `the ledger is already bound to these contracts on chain ${to.chainId} (entry ${old.index})`);
  const totals = state.get<MoneyTotals>(moneyKeys.totals) ?? { deposited: '0', withdrawn: '0' };
  if (old.totals.deposited === totals.deposited && old.totals.withdrawn === totals.withdrawn) return undefined;
  return reject.conflict(
    'action.vault',
    `money moved under the current binding (vault ${old.vault} on chain ${old.chainId}, entry ${old.index}): ` +
      `deposited ${BigInt(totals.deposited) - BigInt(old.totals.deposited)} and paid out or withdrawn ${BigInt(totals.withdrawn) - BigInt(old.totals.withdrawn)} base units since; ` +
      'binding other contracts would pay withdrawals and payouts a second time. Point the node back at the bound contracts',
    { binding: old.index, chainId: old.chainId, vault: old.vault },
  );
}

/** Whether the log already binds the ledger to exactly these contracts on this chain. */
export function isBoundTo(state: StateReader, to: Pick<ChainBinding, 'chainId' | (typeof CONTRACTS)[number]>): boolean {
  const b = chainBinding(state);
  return b !== undefined && b.chainId === to.chainId && CONTRACTS.every((c) => b[c] === to[c].toLowerCase());
}
