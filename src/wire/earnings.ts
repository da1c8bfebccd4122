// Who earned what, on the wire: an account's money, its journal lines, earnings rows by
// account, contribution, datanet or model, and the node's books in total. Amounts are
// decimal strings of base units. Shapes only, for Node and the browser.
import { z } from 'zod';
import { Address, Amount } from './common.ts';

export const EarningsFormat = z.enum(['json', 'csv']).default('json').describe('csv answers text/csv with a header row');
const Earned = z.object({ baseline: Amount, usage: Amount, owner: Amount, compute: Amount, total: Amount });

export const AccountMoney = z.object({
  address: z.string(),
  prepaid: Amount.describe('Spendable on inference'),
  unpaid: Amount.describe('Earned since the last epoch close'),
  paid: Amount.describe('Cumulative payout in the latest epoch root: what the account can claim in total'),
  earned: Earned,
});
export type AccountMoney = z.infer<typeof AccountMoney>;

/** One double-entry journal line that moved an account's money. */
export const JournalLine = z.object({ seq: z.number().int(), entry: z.number().int(), time: z.number().int(), from: z.string(), to: z.string(), amount: Amount, memo: z.string() });
export type JournalLine = z.infer<typeof JournalLine>;
export const JournalLines = z.object({ lines: z.array(JournalLine) });
export const JournalQuery = z.object({ after: z.coerce.number().int().min(-1).default(-1), limit: z.coerce.number().int().min(1).max(10_000).default(1000), format: EarningsFormat });

export const EarningsBy = z.enum(['accounts', 'contributions', 'datanets', 'models']);
export type EarningsBy = z.infer<typeof EarningsBy>;
export const EarningsQuery = z.object({
  format: EarningsFormat,
  account: Address.optional().describe('contributions: only this author'),
  datanet: z.string().max(63).optional().describe('contributions: only this datanet'),
});
export type EarningsRow = Record<string, string | number>;
export const EarningsRows = z.object({ rows: z.array(z.record(z.string(), z.union([z.string(), z.number()]))) });

export const MoneyTotals = z.object({
  money: z.enum(['play', 'real']).describe("The ledger's money, fixed at genesis: play (dev faucet credit, never paid out on chain) or real (chain deposits only)"),
  backed: Amount.describe('Deposits backed by tokens in the bound vault'),
  unbacked: Amount.describe('Credit no on-chain deposit backs (the dev faucet): it never leaves the ledger'),
  deposited: Amount,
  withdrawn: Amount.describe('Withdrawals and epoch payouts'),
  prepaid: Amount,
  unpaid: Amount,
  pools: Amount.describe('Baseline waiting for the next epoch close'),
  escrow: Amount.describe('Compute fees held for open training jobs'),
  reserved: Amount.describe('Held for inference calls in progress: the most each may cost, taken before any text'),
  treasury: Amount,
  conserved: z.boolean(),
});
export type MoneyTotals = z.infer<typeof MoneyTotals>;
