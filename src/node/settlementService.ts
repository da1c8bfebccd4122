// The node's side of settlement: what the protocol cannot do for itself. It measures
// the token counts a RegisterModel needs, logs deposits (the dev faucet), records
// inferences (attributing the output against the model's datanet), closes epochs on a
// timer, and serves payout proofs from the stored leaves. All money moves happen in the
// protocol's actions; this file only decides when to log them and with what inputs.
import { createHash } from 'node:crypto';
import { findContribution, keys as datanetKeys, type SnapshotRecord } from '../datanets/records.ts';
import type { ActionMessage, Entry, EntryAuth } from '../protocol/entry.ts';
import { reject } from '../protocol/errors.ts';
import { MAX_ATTRIBUTED } from '../settlement/actions/inferenceRecord.ts';
import type { RegisterModelAttest } from '../settlement/actions/registerModel.ts';
import { PayoutTree } from '../settlement/payoutTree.ts';
import { type EpochRecord, epochCount, findModel, moneyKeys, NO_ADAPTER } from '../settlement/records.ts';
import type { Attribution } from '../attribution/attribute.ts';
import type { MoneyKind } from '../protocol/genesis.ts';
import type { StateReader } from '../protocol/state.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { MoneyStore } from '../store/moneyStore.ts';
import type { NodeConfig } from './config.ts';
import type { CpuPool } from './cpuPool.ts';
import type { Receipt } from './receipt.ts';
import type { PayoutProof } from '../wire/epochs.ts';
import { amount } from '../money/accounts.ts';

/** Most a single faucet call hands out: 1,000 tokens of 18 decimals. */
export const FAUCET_MAX = 1000n * 10n ** 18n;

export interface InferenceInput {
  model: string;
  requester: string;
  /** The compute provider that served it: its share of the fee goes there. */
  provider: string;
  inputTokens: number;
  /** The output text; it is attributed against the model's datanet. */
  output: string;
  /** Output tokens as the serving model counted them (default: the output under the node's tokenizer). */
  outputTokens?: number;
  /** The log index of the call's ReserveInference, which pays; none: the prepaid balance pays. */
  reservation?: number;
}

export interface RecordedInference {
  receipt: Receipt;
  attribution: {
    contributions: Array<{ contribution: number; ppm: number }>;
    spans: Array<{ start: number; end: number; text: string; contributions: number[] }>;
  };
}

/** An account's cumulative payout with its proof: the shape is the wire contract's (src/wire/epochs.ts). */
export type { PayoutProof };

/** Bytes of contributions tokenized in one CPU task when counting a version's training tokens. */
const TOKEN_COUNT_BATCH_BYTES = 4 * 1024 * 1024;
/** Token counts remembered by content hash (a count is a few dozen bytes); past this the memory starts over. */
const MAX_REMEMBERED_COUNTS = 200_000;

/** What the settlement service needs of its node: reads, the stores, the CPU pool, and a few calls into its neighbours. */
export interface SettlementDeps {
  state: StateReader;
  blobs: Pick<BlobStore, 'get'>;
  money: Pick<MoneyStore, 'leaves'>;
  cpu: CpuPool;
  config: Pick<NodeConfig, 'dev'>;
  /** Play or real money, as the genesis entry fixed it. */
  moneyKind(): MoneyKind;
  submitNodeAction(action: Omit<ActionMessage, 'nonce'>): Promise<Receipt>;
  /** Runs a user action's rules against current state, writing nothing (TributaryNode.checkRules). */
  checkRules(action: ActionMessage, auth: EntryAuth, signer: string, measured?: Entry['attest']): void;
  /** Checks that an uploaded adapter fits its base model (ModelService.checkAdapter). */
  checkAdapter(base: string, adapter: string): true;
  /** Attributes an output against a model's scope (AttributionService). */
  attributeOutput(model: string, output: string): Promise<Attribution>;
  /** An epoch was closed: the chain worker may post its root. */
  epochClosed(): void;
}

export class SettlementService {
  private readonly trees = new Map<number, PayoutTree>();
  /** Content hash → tokens under the default tokenizer: the same bytes always count the same. */
  private readonly tokenCounts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: SettlementDeps) {}

  /**
   * The token count of each contribution in a datanet version, for RegisterModel's attest.
   * Cheap checks first: the action's own rules run against the current state (with the
   * measured parts stood in for) before any byte is tokenized, so that a RegisterModel
   * that would be refused anyway (an unknown base model, a name owned by another) costs
   * nothing. The tokenizing runs on CPU workers, and each contribution's count is kept by
   * content hash, so that registering versions of the same data does not count it again.
   */
  async attestRegisterModel(action: ActionMessage, auth: EntryAuth, signer: string): Promise<RegisterModelAttest | undefined> {
    const snap = action.datanet === '' ? undefined : this.d.state.get<SnapshotRecord>(datanetKeys.snapshot(action.datanet as string, action.snapshot as number));
    // Every rule but what the node measures, stood in for here; apply refuses a missing datanet or version precisely.
    this.d.checkRules(action, auth, signer, { adapterChecked: true, trainingTokens: snap ? snap.contributions.map(() => 0) : [] });
    const adapterChecked = action.job === 0 && action.adapter !== NO_ADAPTER ? this.d.checkAdapter(action.base as string, action.adapter as string) : undefined;
    if (!snap) return adapterChecked ? { adapterChecked } : undefined;
    return { ...(adapterChecked ? { adapterChecked } : {}), trainingTokens: await this.trainingTokens(snap) };
  }

  /** Tokens of each contribution of a version, in its order: 0 for withdrawn content (its author asked to be left out). */
  private async trainingTokens(snap: SnapshotRecord): Promise<number[]> {
    const hashes = snap.contributions.map((id) => {
      const c = findContribution(this.d.state, id);
      return c && c.status !== 'withdrawn' ? c.contentHash : undefined;
    });
    const missing = [...new Set(hashes.filter((h): h is string => h !== undefined && !this.tokenCounts.has(h)))];
    // Batches of a few MiB: few messages to the workers, and no task near the time budget.
    for (let i = 0; i < missing.length; ) {
      const batch: string[] = [];
      const texts: Uint8Array[] = [];
      let bytes = 0;
      for (; i < missing.length && (batch.length === 0 || bytes < TOKEN_COUNT_BATCH_BYTES); i++) {
        const blob = this.d.blobs.get(missing[i]);
        if (!blob) continue;
        batch.push(missing[i]);
        texts.push(blob);
        bytes += blob.length;
      }
      if (batch.length === 0) continue;
      const counts = await this.d.cpu.run('countTokens', { texts }, `counting the tokens of ${batch.length} contributions (${bytes} bytes) of ${snap.datanet}@${snap.version}`);
      if (this.tokenCounts.size + batch.length > MAX_REMEMBERED_COUNTS) this.tokenCounts.clear();
      batch.forEach((h, k) => this.tokenCounts.set(h, counts[k]));
    }
    return hashes.map((h) => (h === undefined ? 0 : (this.tokenCounts.get(h) ?? 0)));
  }

  /** Dev mode on a play-money ledger only: credits an account from nowhere, as a deposit from the "faucet". */
  async faucet(account: string, value: bigint): Promise<Receipt> {
    if (!this.d.config.dev) throw reject.forbidden('url', 'the faucet exists only in dev mode (NODE_ENV is production)');
    if (this.d.moneyKind() !== 'play')
      throw reject.forbidden('url', 'this ledger holds real money (its genesis entry says so): balances come only from deposits into the bound vault, never from a faucet');
    if (value <= 0n || value > FAUCET_MAX) throw reject.invalid('amount', `must be from 1 to ${FAUCET_MAX} base units (1,000 tokens)`);
    return this.d.submitNodeAction({ type: 'Deposit', account, amount: value.toString(), source: 'faucet' });
  }

  /**
   * Records and settles one inference: counts the output's tokens, attributes it against
   * the datanet version the model was trained on, and logs an InferenceRecord. Serving calls this
   * for every completion (node/servingService.ts); in dev mode, the dev API records one by hand.
   */
  async recordInference(x: InferenceInput): Promise<RecordedInference> {
    const model = findModel(this.d.state, x.model);
    if (!model) throw reject.notFound('model', `no model ${x.model} (name@version)`);
    const outputTokens =
      x.outputTokens ?? (await this.d.cpu.run('countTokens', { texts: [Buffer.from(x.output, 'utf8')] }, `counting the tokens of an output of ${x.output.length} characters`))[0];
    let shares: Array<{ contribution: number; ppm: number }> = [];
    let spans: RecordedInference['attribution']['spans'] = [];
    if (model.datanet !== '' && x.output !== '') {
      const a = await this.d.attributeOutput(x.model, x.output);
      spans = a.spans.filter((s) => s.contributions.length > 0).map((s) => ({ start: s.start, end: s.end, text: s.text, contributions: [...s.contributions] }));
      // The heaviest first, at most what one record holds; ascending ids on the wire.
      shares = [...a.contributions].sort((p, q) => q.ppm - p.ppm || p.contribution - q.contribution).slice(0, MAX_ATTRIBUTED).filter((s) => s.ppm > 0);
      shares.sort((p, q) => p.contribution - q.contribution);
    }
    const receipt = await this.d.submitNodeAction({
      type: 'InferenceRecord',
      model: x.model,
      requester: x.requester,
      provider: x.provider,
      inputTokens: x.inputTokens,
      outputTokens,
      contributions: shares.map((s) => s.contribution),
      weightsPpm: shares.map((s) => s.ppm),
      outputHash: '0x' + createHash('sha256').update(x.output, 'utf8').digest('hex'),
      reservation: x.reservation ?? 0,
    });
    return { receipt, attribution: { contributions: shares, spans } };
  }

  /** Closes the next epoch now. Refused (409) when nothing was earned since the last one. */
  async closeEpoch(): Promise<Receipt> {
    const r = await this.d.submitNodeAction({ type: 'CloseEpoch', epoch: epochCount(this.d.state) + 1 });
    this.d.epochClosed();
    return r;
  }

  /** Closes an epoch every `seconds`, skipping those in which nothing was earned. */
  startTimer(seconds: number): void {
    if (seconds <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.d.state.list(moneyKeys.earningsBalancePrefix).length === 0 && this.d.state.list(moneyKeys.poolPrefix).length === 0) return;
      this.closeEpoch().catch(() => {
        // Refused because an epoch closed meanwhile, or nothing is owed: the next tick tries again.
      });
    }, seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  epoch(n: number): EpochRecord {
    const e = this.d.state.get<EpochRecord>(moneyKeys.epoch(n));
    if (!e) throw reject.notFound('epoch', `epoch ${n} is not closed; ${epochCount(this.d.state)} epochs are`);
    return e;
  }

  /** An account's cumulative payout as of an epoch, with its proof against that epoch's root. */
  payout(epoch: number, account: string): PayoutProof {
    const e = this.epoch(epoch);
    const tree = this.tree(e);
    const address = account.toLowerCase();
    if (!tree.has(address)) throw reject.notFound('account', `${address} has no payout as of epoch ${epoch}`);
    const value = tree.amount(address);
    return { epoch, account: address, amount: value.toString(), root: e.root, proof: tree.proof(address) };
  }

  /** Rebuilt from the stored leaves, checked against the root in state, and kept for the latest few epochs. */
  private tree(e: EpochRecord): PayoutTree {
    let t = this.trees.get(e.epoch);
    if (!t) {
      t = PayoutTree.build(this.d.money.leaves(e.epoch));
      if (t.root !== e.root) throw new Error(`stored payout leaves of epoch ${e.epoch} give root ${t.root}, state says ${e.root}`);
      this.trees.set(e.epoch, t);
      if (this.trees.size > 4) this.trees.delete(Math.min(...this.trees.keys()));
    }
    return t;
  }

  /** Prepaid balance, unpaid earnings and cumulative payout of an address. */
  account(address: string): { prepaid: bigint; earnings: bigint; paid: bigint } {
    const a = address.toLowerCase();
    const get = (k: string) => amount(this.d.state.get<string>(k));
    return { prepaid: get(moneyKeys.balance(a)), earnings: get(moneyKeys.balance(`earnings:${a}`)), paid: get(moneyKeys.paid(a)) };
  }
}
