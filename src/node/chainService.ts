// The node's chain worker: it credits confirmed deposits to the vault, posts each closed
// epoch's payout root to the distributor and moves what requesters spent from the vault
// to the distributor, anchors the log's checkpoint on every anchor interval and epoch
// close, and signs withdrawal vouchers. It retries with exponential backoff and reports
// its state at /v1/chain/status.
//
// It never double-posts: before every post it reads what the chain already holds (the
// distributor's latest epoch, the anchor's tree size) and posts only what is newer, so a
// restart, a lost receipt or a second node picks up exactly where the chain is; the
// contracts refuse an epoch or tree size that does not go up in any case. Deposits are
// credited by a Deposit action whose source names the chain, the vault and the deposit id,
// which the protocol credits once only; the block scanned up to is kept in the database.
import { readFileSync } from 'node:fs';
import type { Address, Hex } from 'viem';
import { anchorCheckpoint, latestAnchor } from '../chain/anchors.ts';
import type { ChainClients } from '../chain/clients.ts';
import { depositEvents } from '../chain/deposits.ts';
import { fundPayouts, payoutsFunded } from '../chain/funding.ts';
import { latestPayoutRoot, postPayoutRoot } from '../chain/payouts.ts';
import { chainClients } from '../chain/rpc.ts';
import { tokenBalance } from '../chain/token.ts';
import { signWithdrawalVoucher, type WithdrawalVoucher, withdrawalVoucherDomain } from '../chain/vouchers.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { bindingRefusal, isBoundTo } from '../settlement/actions/bindChain.ts';
import { chainBinding, chainDepositSource, type EpochRecord, epochCount, moneyKeys, type WithdrawalRecord } from '../settlement/records.ts';
import type { StateReader } from '../protocol/state.ts';
import type { EntryStore } from '../store/entryStore.ts';
import type { Db } from '../store/sql.ts';
import type { ChainConfig } from './chainConfig.ts';
import { ConfigError } from './config.ts';
import type { NodeEvents } from './events.ts';
import type { Receipt } from './receipt.ts';
import type { ChainStatus } from '../wire/chain.ts';

/** Blocks asked for in one eth_getLogs call: public RPCs cap the range. */
const LOG_RANGE = 2_000n;
const MAX_BACKOFF_MS = 60_000;
/** How long a withdrawal voucher stays valid; a new one can be fetched at any time. */
const VOUCHER_SECONDS = 3600n;

export interface Posted {
  tx: string;
  block: string;
  at: string;
}

/** What GET /v1/chain/status answers: the shape is the wire contract's (src/wire/chain.ts). */
export type { ChainStatus };

/** What the chain worker needs of its node: reads, the log's checkpoints and roots, events, the submit function. */
export interface ChainDeps {
  db: Db;
  state: StateReader;
  entries: Pick<EntryStore, 'latestCheckpoint'>;
  /** The Merkle root of the log's first `size` entries. */
  logRoot(size: number): Buffer;
  events: NodeEvents;
  submitNodeAction(action: Omit<ActionMessage, 'nonce'>): Promise<Receipt>;
  /** A closed epoch's payout root and total (SettlementService.epoch). */
  epoch(n: number): EpochRecord;
}

export class ChainService {
  private clients?: ChainClients;
  private timer?: NodeJS.Timeout;
  private busy?: Promise<void>;
  private failures = 0;
  private nextAttempt = 0;
  private lastAnchorMs = 0;
  private anchorDue = true;
  private voucherDomain?: Awaited<ReturnType<typeof withdrawalVoucherDomain>>;
  private readonly s: Omit<ChainStatus, 'configured' | 'pendingEpochs' | 'failures'> = { depositsCredited: 0 };

  constructor(
    private readonly d: ChainDeps,
    readonly config: ChainConfig | undefined,
  ) {
    if (!config) return;
    let key: string;
    try {
      key = readFileSync(config.settlerKeyFile, 'utf8').trim();
    } catch (e) {
      throw new ConfigError(`cannot read the settler key file ${config.settlerKeyFile}: ${(e as Error).message}`);
    }
    if (!/^0x[0-9a-fA-F]{64}$/.test(key)) throw new ConfigError(`${config.settlerKeyFile} must hold one 0x-prefixed 32-byte hex private key`);
    this.clients = chainClients(config.rpcUrl, key as Hex, config.chainId, 15_000);
  }

  get configured(): boolean {
    return this.clients !== undefined;
  }

  get settler(): string | undefined {
    return this.clients?.walletClient.account.address.toLowerCase();
  }

  start(): void {
    if (!this.config || this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.config.pollMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.busy;
  }

  /** An epoch closed: post its root and an anchor now. */
  epochClosed(): void {
    this.anchorDue = true;
    if (this.configured) void this.tick(true);
  }

  status(): ChainStatus {
    if (!this.config) return { configured: false, depositsCredited: 0, pendingEpochs: 0, failures: 0 };
    const onChain = this.s.lastRoot?.epoch ?? 0;
    return {
      configured: true,
      rpcUrl: this.config.rpcUrl,
      chainId: this.config.chainId,
      contracts: this.config.contracts,
      settler: this.settler,
      confirmations: this.config.confirmations,
      ...this.s,
      depositsScannedTo: this.cursor()?.toString(),
      pendingEpochs: Math.max(0, epochCount(this.d.state) - onChain),
      failures: this.failures,
      ...(this.failures > 0 ? { nextAttemptAt: new Date(this.nextAttempt).toISOString() } : {}),
    };
  }

  /** One pass, unless one is running or the backoff says wait; resolves when it is done. */
  tick(force = false): Promise<void> {
    if (this.busy) return this.busy;
    if (!force && Date.now() < this.nextAttempt) return Promise.resolve();
    this.busy = this.pass()
      .then(
        () => {
          this.failures = 0;
          this.nextAttempt = 0;
        },
        (e: unknown) => {
          this.failures++;
          this.nextAttempt = Date.now() + Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.failures - 1));
          this.s.lastError = { message: (e as Error).message.split('\n')[0].slice(0, 500), at: new Date().toISOString() };
          this.d.events.emit('chainFailed', { failures: this.failures, message: this.s.lastError.message, nextAttemptAt: new Date(this.nextAttempt).toISOString() });
        },
      )
      .finally(() => (this.busy = undefined));
    return this.busy;
  }

  /**
   * The BindChain action that records the configured chain in the log, or undefined when the
   * log already names it. The protocol refuses it on a play-money ledger, and as a re-binding
   * once money moved under the current binding.
   */
  bindingAction(): Omit<ActionMessage, 'nonce'> | undefined {
    if (!this.config) return undefined;
    const c = this.config;
    if (isBoundTo(this.d.state, { chainId: c.chainId, ...c.contracts })) return undefined;
    return { type: 'BindChain', chainId: c.chainId, ...c.contracts };
  }

  /** Why the configured chain cannot be bound to this ledger (money moved under another binding), if it cannot. */
  bindingRefused(): string | undefined {
    const action = this.bindingAction();
    if (!action) return undefined;
    const refusal = bindingRefusal(this.d.state, { chainId: this.config!.chainId, ...this.config!.contracts });
    return refusal && `cannot settle on chain ${this.config!.chainId} (vault ${this.config!.contracts.vault}): ${refusal.message}`;
  }

  /** A voucher for withdrawal `index` (its nonce), valid for an hour; fetch again for a fresh one. */
  async voucher(index: number): Promise<{ voucher: { account: string; amount: string; nonce: string; deadline: string }; signature: string; vault: string; chainId: number }> {
    if (!this.clients || !this.config) throw new ActionRejected(409, 'no_chain', undefined, 'this node has no chain configured: withdrawals need one');
    const w = this.d.state.get<WithdrawalRecord>(moneyKeys.withdrawal(index));
    if (!w) throw reject.notFound('index', `log entry ${index} is not a withdrawal`);
    // The voucher names the vault of the binding the withdrawal was made under, and only
    // while the node settles there: a voucher for another vault would pay it twice.
    const b = chainBinding(this.d.state);
    if (!b || w.binding !== b.index || b.vault !== this.config.contracts.vault || b.chainId !== this.config.chainId)
      throw reject.conflict(
        'index',
        `withdrawal ${index} was made under the chain binding at log entry ${w.binding}, and this node settles ${b ? `under the binding at entry ${b.index}` : 'under no binding'} (vault ${this.config.contracts.vault} on chain ${this.config.chainId}): no voucher for another vault`,
      );
    this.voucherDomain ??= await withdrawalVoucherDomain(this.clients.publicClient, this.config.contracts.vault as Address);
    const now = BigInt(Math.floor(Date.now() / 1000));
    const v: WithdrawalVoucher = { account: w.account as Address, amount: BigInt(w.amount), nonce: BigInt(w.index), deadline: now + VOUCHER_SECONDS };
    const signature = await signWithdrawalVoucher(this.clients.walletClient.account as Parameters<typeof signWithdrawalVoucher>[0], this.voucherDomain, v);
    return {
      voucher: { account: v.account, amount: v.amount.toString(), nonce: v.nonce.toString(), deadline: v.deadline.toString() },
      signature,
      vault: this.config.contracts.vault,
      chainId: this.config.chainId,
    };
  }

  private async pass(): Promise<void> {
    const clients = this.clients!;
    const c = this.config!;
    // Never post, fund or credit for contracts the log does not name (a binding not logged yet).
    if (this.bindingAction()) throw new Error(`the log does not bind this ledger to vault ${c.contracts.vault} on chain ${c.chainId} yet: nothing is posted until it does`);
    const reported = await clients.publicClient.getChainId();
    if (reported !== c.chainId) throw new Error(`the RPC at ${c.rpcUrl} serves chain ${reported}, not the configured ${c.chainId}`);
    await this.creditDeposits(clients, c);
    const posted = await this.postRoot(clients, c);
    await this.fund(clients, c);
    if (posted || this.anchorDue || Date.now() - this.lastAnchorMs >= c.anchorSeconds * 1000) await this.anchor(clients, c);
  }

  private async creditDeposits(clients: ChainClients, c: ChainConfig): Promise<void> {
    const head = await clients.publicClient.getBlockNumber();
    const safe = head - BigInt(c.confirmations);
    let from = (this.cursor() ?? BigInt(c.startBlock) - 1n) + 1n;
    while (from <= safe) {
      const to = from + LOG_RANGE - 1n < safe ? from + LOG_RANGE - 1n : safe;
      for (const d of await depositEvents(clients.publicClient, c.contracts.vault as Address, { fromBlock: from, toBlock: to })) {
        const source = chainDepositSource({ chainId: c.chainId, vault: c.contracts.vault }, d.depositId);
        try {
          await this.d.submitNodeAction({ type: 'Deposit', account: d.depositor.toLowerCase(), amount: d.amount.toString(), source });
          this.s.depositsCredited++;
          this.d.events.emit('chainPosted', { what: 'deposit', account: d.depositor.toLowerCase(), amount: d.amount.toString(), source });
        } catch (e) {
          // Credited before (a restart re-read the block): the protocol refuses it again.
          if (!(e instanceof ActionRejected && e.status === 409)) throw e;
        }
      }
      this.setCursor(to);
      from = to + 1n;
    }
  }

  /** Posts the latest closed epoch's root if the chain holds an older one; true if it posted. */
  private async postRoot(clients: ChainClients, c: ChainConfig): Promise<boolean> {
    const local = epochCount(this.d.state);
    const onChain = await latestPayoutRoot(clients.publicClient, c.contracts.distributor as Address);
    if (BigInt(local) <= onChain.epoch) {
      if (onChain.epoch > 0n && !this.s.lastRoot) this.s.lastRoot = { epoch: Number(onChain.epoch), root: onChain.root, tx: '', block: '', at: '' };
      return false;
    }
    const e = this.d.epoch(local);
    const r = await postPayoutRoot(clients, c.contracts.distributor as Address, BigInt(local), e.root as Hex);
    this.s.lastRoot = { epoch: local, root: e.root, ...posted(r) };
    this.d.events.emit('chainPosted', { what: 'root', epoch: local, tx: this.s.lastRoot.tx, block: this.s.lastRoot.block });
    return true;
  }

  /** Moves from the vault what the posted payouts need and the vault has not yet moved. */
  private async fund(clients: ChainClients, c: ChainConfig): Promise<void> {
    const local = epochCount(this.d.state);
    if (local === 0) return;
    const needed = BigInt(this.d.epoch(local).cumulative);
    const funded = await payoutsFunded(clients.publicClient, c.contracts.vault as Address);
    if (needed <= funded) {
      delete this.s.unfunded;
      return;
    }
    const held = await tokenBalance(clients.publicClient, c.contracts.token as Address, c.contracts.vault as Address);
    const move = needed - funded < held ? needed - funded : held;
    if (move > 0n) {
      const r = await fundPayouts(clients, c.contracts.vault as Address, move);
      this.s.lastFunding = { amount: move.toString(), ...posted(r) };
      this.d.events.emit('chainPosted', { what: 'funding', amount: move.toString(), tx: this.s.lastFunding.tx, block: this.s.lastFunding.block });
    }
    // Money credited without a deposit on chain (the dev faucet) cannot be moved: say so.
    if (needed - funded > move) this.s.unfunded = (needed - funded - move).toString();
    else delete this.s.unfunded;
  }

  private async anchor(clients: ChainClients, c: ChainConfig): Promise<void> {
    const cp = this.d.entries.latestCheckpoint();
    if (!cp) return;
    const onChain = await latestAnchor(clients.publicClient, c.contracts.anchor as Address);
    if (BigInt(cp.size) > onChain.treeSize) {
      const logRoot = ('0x' + this.d.logRoot(cp.size).toString('hex')) as Hex;
      const r = await anchorCheckpoint(clients, c.contracts.anchor as Address, { treeSize: BigInt(cp.size), logRoot, stateRoot: ('0x' + cp.stateRoot.toString('hex')) as Hex });
      this.s.lastAnchor = { treeSize: cp.size, ...posted(r) };
      this.d.events.emit('chainPosted', { what: 'anchor', treeSize: cp.size, tx: this.s.lastAnchor.tx, block: this.s.lastAnchor.block });
    }
    this.lastAnchorMs = Date.now();
    this.anchorDue = false;
  }

  /** Per chain and vault: a new deployment (or a fresh devnet) starts from its own deploy block. */
  private get cursorKey(): string {
    return `chain.depositsScannedTo.${this.config!.chainId}.${this.config!.contracts.vault}`;
  }

  private cursor(): bigint | undefined {
    const row = this.d.db.prepare<[string], { value: Buffer }>('SELECT value FROM meta WHERE key = ?').get(this.cursorKey);
    return row ? BigInt(row.value.toString('utf8')) : undefined;
  }

  private setCursor(block: bigint): void {
    this.d.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(this.cursorKey, Buffer.from(block.toString()));
  }
}

function posted(r: { transactionHash: string; blockNumber: bigint }): Posted {
  return { tx: r.transactionHash, block: r.blockNumber.toString(), at: new Date().toISOString() };
}
