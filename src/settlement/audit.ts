// The money audit `verify` runs over replayed state: the books' totals, the conservation
// check (everything held equals deposits minus withdrawals and payouts, with no negative
// balance), and a reading of state keys as a person would name them, so that a
// difference between a node's state and the replay says whose money differs.
import { GENESIS_KEY, ledgerMoney, type MoneyKind } from '../protocol/genesis.ts';
import type { StateReader } from '../protocol/state.ts';
import { epochCount, moneyKeys } from './records.ts';
import { accounts, amount, type MoneyTotals } from '../money/accounts.ts';

export interface MoneyAudit {
  /** The ledger's money, fixed by its genesis entry. */
  money: MoneyKind;
  /** Deposits backed by tokens on chain (every deposit of a real-money ledger: apply credits only the bound vault's). */
  backed: string;
  /** Credit no on-chain deposit backs (every deposit of a play-money ledger: the dev faucet). It never leaves the ledger. */
  unbacked: string;
  deposited: string;
  withdrawn: string;
  /** Prepaid balances, unpaid earnings, baseline pools, escrows, holds of calls in progress and the treasury, summed. */
  held: string;
  accounts: number;
  epochs: number;
  conserved: boolean;
}

export function auditMoney(state: StateReader): MoneyAudit {
  let held = 0n;
  let negative = false;
  const addresses = new Set<string>();
  for (const [key, text] of state.list<string>(moneyKeys.balancePrefix)) {
    const b = amount(text);
    if (b < 0n) negative = true;
    held += b;
    const acct = key.slice(moneyKeys.balancePrefix.length);
    if (acct.startsWith('0x')) addresses.add(acct);
    else if (acct.startsWith('earnings:')) addresses.add(acct.slice('earnings:'.length));
  }
  for (const [key] of state.list(moneyKeys.paidPrefix)) addresses.add(key.slice(moneyKeys.paidPrefix.length));
  const t = state.get<MoneyTotals>(moneyKeys.totals) ?? { deposited: '0', withdrawn: '0' };
  const money = state.get(GENESIS_KEY) === undefined ? 'play' : ledgerMoney(state);
  return {
    money,
    backed: money === 'real' ? t.deposited : '0',
    unbacked: money === 'play' ? t.deposited : '0',
    deposited: t.deposited,
    withdrawn: t.withdrawn,
    held: held.toString(),
    accounts: addresses.size,
    epochs: epochCount(state),
    conserved: !negative && held === amount(t.deposited) - amount(t.withdrawn),
  };
}

/** A state or earnings-view key as a person would name it, for reports of what differs. */
export function describeMoneyKey(key: string): string | undefined {
  if (key.startsWith(moneyKeys.balancePrefix)) {
    const acct = key.slice(moneyKeys.balancePrefix.length);
    if (acct === accounts.treasury) return 'the treasury balance';
    if (acct.startsWith('earnings:')) return `the unpaid earnings of ${acct.slice('earnings:'.length)}`;
    if (acct.startsWith('pool:')) return `the baseline pool of model ${acct.slice('pool:'.length)}`;
    if (acct.startsWith('escrow:')) return `the escrow of training ${acct.slice('escrow:'.length)}`;
    if (acct.startsWith('hold:')) return `the money held for the inference call reserved at entry ${acct.slice('hold:'.length)}`;
    return `the prepaid balance of ${acct}`;
  }
  if (key.startsWith(moneyKeys.paidPrefix)) return `the cumulative payout of ${key.slice(moneyKeys.paidPrefix.length)}`;
  if (key.startsWith(moneyKeys.epochPrefix)) return `the record (and payout root) of epoch ${Number(key.slice(moneyKeys.epochPrefix.length))}`;
  if (key.startsWith(moneyKeys.holdPrefix)) return `the open reservation made at entry ${Number(key.slice(moneyKeys.holdPrefix.length))}`;
  if (key === moneyKeys.totals) return 'the totals of deposits and withdrawals';
  // Earnings views (not state, but named the same way when a view differs).
  if (key.startsWith(moneyKeys.modelUsagePrefix)) return `the usage view of model ${key.slice(moneyKeys.modelUsagePrefix.length)}`;
  if (key.startsWith(moneyKeys.contributionEarningsPrefix))
    return `the earnings view of contribution ${Number(key.slice(moneyKeys.contributionEarningsPrefix.length))}`;
  if (key.startsWith(moneyKeys.datanetEarningsPrefix)) return `the earnings view of datanet ${key.slice(moneyKeys.datanetEarningsPrefix.length)}`;
  if (key.startsWith(moneyKeys.accountEarningsPrefix)) return `the earnings view of account ${key.slice(moneyKeys.accountEarningsPrefix.length)}`;
  return undefined;
}
