// The names of the books: journal accounts (whose balance a bare address is, what earnings,
// pools, holds and the treasury are called) and the state keys under which the book keeps
// balances, money totals and each account's earnings view. A leaf: the settlement rules,
// the training-job escrow and the stores all name money the same way through it, and it
// names nothing else.
export interface MoneyTotals {
  deposited: string;
  /** Withdrawals and epoch payouts: money that left the node's books. */
  withdrawn: string;
}

export const TREASURY = 'treasury';

/** Journal account names. A bare address is the account's prepaid (spendable) balance. */
export const accounts = {
  prepaid: (address: string) => address,
  earnings: (address: string) => `earnings:${address}`,
  pool: (modelId: string) => `pool:${modelId}`,
  /** What an inference call in progress holds (its ReserveInference's log index). */
  hold: (reservation: number) => `hold:${reservation}`,
  treasury: TREASURY,
};

/** The state keys (and view keys) the book itself reads and writes. */
export const bookKeys = {
  balance: (account: string) => `bal/${account}`,
  balancePrefix: 'bal/',
  earningsBalancePrefix: 'bal/earnings:',
  poolPrefix: 'bal/pool:',
  totals: 'money/totals',
  accountEarnings: (address: string) => `earn/a/${address}`,
  accountEarningsPrefix: 'earn/a/',
};

export function amount(text: string | undefined): bigint {
  return text === undefined ? 0n : BigInt(text);
}
