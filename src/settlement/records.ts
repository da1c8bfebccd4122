// The settlement records kept in protocol state, the keys they live under, and the
// names of the journal's accounts. Money in state is always a decimal string of base
// units; this module is the one place that reads and writes those strings, so nothing
// else ever turns money into a JavaScript number.
import { pad, type StateReader } from '../protocol/state.ts';
import type { FeePolicy } from './feePolicy.ts';
import { bookKeys, type MoneyTotals } from '../money/accounts.ts';

/** A registered model version. Its fee policy and training set never change. */
export interface ModelRecord {
  /** `name@version`, how inference records and the API name it. */
  id: string;
  name: string;
  version: number;
  owner: string;
  /** The datanet and snapshot it was trained on; empty name and version 0 for none. */
  datanet: string;
  snapshot: number;
  /** The snapshot's Merkle root (empty for none). */
  snapshotRoot: string;
  /** Content hashes of the base model and the adapter (0x hex, 32 bytes). */
  base: string;
  adapter: string;
  /** Money as decimal strings; shares and baselineBps as basis points. */
  policy: { pricePer1kInput: string; pricePer1kOutput: string; shares: FeePolicy['shares']; baselineBps: number };
  /** Training contributions with tokens > 0, and their total tokens. */
  trainingContributions: number;
  trainingTokens: number;
  /** How the adapter was made, when it came from a training job on this node. */
  training?: { job: number; configHash: string; trainerVersion: string; evalLoss: number; baseEvalLoss: number; worker: string };
  registeredAt: number;
  time: number;
}

/** One training contribution of a model: id, author, accepted tokens (the node's count at registration). */
export type TrainingRow = [contribution: number, author: string, tokens: number];

export interface ModelNameRecord {
  name: string;
  owner: string;
  versions: number;
}

/** Cumulative usage and fees of a model version (a view, see Book.add). */
export interface ModelUsage {
  inferences: number;
  inputTokens: number;
  outputTokens: number;
  fees: string;
  data: string;
  owner: string;
  compute: string;
  treasury: string;
}

/** Cumulative earnings of one contribution, one datanet, or one account, by role (a view). */
export interface Earnings {
  baseline: string;
  usage: string;
  owner: string;
  compute: string;
}

export interface EpochRecord {
  epoch: number;
  /** Root of the payout tree over every account's cumulative payout, 0x hex. */
  root: string;
  /** Leaves in the tree: accounts paid anything so far. */
  accounts: number;
  /** Sum of the cumulative amounts in the tree. */
  cumulative: string;
  /** What this epoch added to the tree. */
  paid: string;
  /** Accounts whose cumulative amount this epoch changed. */
  changed: number;
  /** The epoch covers log entries [0, logSize). */
  logSize: number;
  time: number;
}

export interface WithdrawalRecord {
  /** The log index of the Withdraw entry; also the voucher's nonce. */
  index: number;
  account: string;
  amount: string;
  time: number;
  /** The log index of the chain binding it was made under: its voucher names that binding's vault. */
  binding: number;
}

/** Where a real-money ledger settles on chain: a BindChain entry, in state. */
export interface ChainBinding {
  /** The log index of the BindChain entry. */
  index: number;
  /** The EVM chain id (not the EIP-712 signing domain's, which genesis fixes). */
  chainId: number;
  token: string;
  vault: string;
  distributor: string;
  anchor: string;
  /** The books' totals when it was bound: anything deposited or paid since moved under this binding. */
  totals: MoneyTotals;
  time: number;
}

/**
 * Money held for one inference call in progress (see ReserveInference): the most the call
 * may cost, taken from the caller's prepaid balance before anything is generated.
 */
export interface HoldRecord {
  /** The log index of the ReserveInference entry; the journal account is `hold:<index>`. */
  reservation: number;
  model: string;
  requester: string;
  inputTokens: number;
  maxTokens: number;
  amount: string;
  /** The serving process and call that holds it (`<instance>/<call>`), so that it can be released if they are gone. */
  holder: string;
  /** Sequenced time (ms) after which any sequencing node may release it. */
  expires: number;
  time: number;
}

/** The `adapter` of a model that has none: the base model alone. */
export const NO_ADAPTER = '0x' + '00'.repeat(32);

export const moneyKeys = {
  ...bookKeys,
  /** Cumulative amount an account has been paid out through epoch roots. */
  paid: (address: string) => `paid/${address}`,
  paidPrefix: 'paid/',
  modelName: (name: string) => `model/${name}`,
  modelNamePrefix: 'model/',
  model: (name: string, version: number) => `mv/${name}/${pad(version)}`,
  modelVersionPrefix: (name: string) => `mv/${name}/`,
  training: (modelId: string) => `mt/${modelId}`,
  // Views (MoneyStore), not protocol state:
  modelUsage: (modelId: string) => `earn/m/${modelId}`,
  modelUsagePrefix: 'earn/m/',
  contributionEarnings: (id: number) => `earn/c/${pad(id)}`,
  contributionEarningsPrefix: 'earn/c/',
  datanetEarnings: (name: string) => `earn/d/${name}`,
  datanetEarningsPrefix: 'earn/d/',
  /** An on-chain deposit already credited, by its source (`chain:<chain id>:<vault>:<deposit id>`). */
  chainDeposit: (source: string) => `dep/${source}`,
  /** The chain the ledger settles on (a real-money ledger only). */
  chainBinding: 'chain/binding',
  /** A withdrawal, by the log index of its entry: the voucher's nonce. */
  withdrawal: (index: number) => `wd/${pad(index)}`,
  /** An open reservation, by the log index of its ReserveInference entry. */
  hold: (reservation: number) => `hold/${pad(reservation)}`,
  holdPrefix: 'hold/',
  epoch: (n: number) => `epoch/${pad(n)}`,
  epochPrefix: 'epoch/',
  epochCount: 'epochs',
};

export function emptyEarnings(): Earnings {
  return { baseline: '0', usage: '0', owner: '0', compute: '0' };
}

/** A model's usage view as the API shows it: counts as numbers, money as decimal strings. */
export function modelUsage(view: Record<string, string> | undefined): ModelUsage {
  const v = view ?? {};
  const n = (f: string) => Number(v[f] ?? '0');
  const s = (f: string) => v[f] ?? '0';
  return { inferences: n('inferences'), inputTokens: n('inputTokens'), outputTokens: n('outputTokens'), fees: s('fees'), data: s('data'), owner: s('owner'), compute: s('compute'), treasury: s('treasury') };
}

/** An earnings view with every role present. */
export function earnings(view: Record<string, string> | undefined): Earnings {
  return { ...emptyEarnings(), ...(view ?? {}) } as Earnings;
}

/** `name@version` → the model version's record, or undefined. */
export function findModel(state: StateReader, id: string): ModelRecord | undefined {
  const at = id.lastIndexOf('@');
  if (at <= 0) return undefined;
  const version = Number(id.slice(at + 1));
  if (!Number.isSafeInteger(version) || version < 1) return undefined;
  return state.get<ModelRecord>(moneyKeys.model(id.slice(0, at), version));
}

/** The source a deposit on the bound chain is credited under: it names the chain, the vault and the deposit. */
export function chainDepositSource(b: Pick<ChainBinding, 'chainId' | 'vault'>, depositId: bigint | string): string {
  return `chain:${b.chainId}:${b.vault}:${depositId}`;
}

export function chainBinding(state: StateReader): ChainBinding | undefined {
  return state.get<ChainBinding>(moneyKeys.chainBinding);
}

export function findHold(state: StateReader, reservation: number): HoldRecord | undefined {
  return state.get<HoldRecord>(moneyKeys.hold(reservation));
}

export function epochCount(state: StateReader): number {
  return state.get<number>(moneyKeys.epochCount) ?? 0;
}
