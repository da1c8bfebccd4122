// A Tributary node: opens the data directory, writes the genesis entry on first
// start, and offers the operations the API and the CLI need: submit a signed action,
// submit one of the node's own, read the log and its proofs. It holds no HTTP.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { sha256Hex } from '../datanets/intake.ts';
import { type DatanetRecord, DEFAULT_DUPLICATE_POLICY, type DuplicatePolicy, findContribution, keys } from '../datanets/records.ts';
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { TreeRangeError } from '../nodeLedger/tree.ts';
import { type ActionDefinition, normaliseMessage, type ProtocolParams } from '../protocol/action.ts';
import type { ActionMessage, Entry, EntryAuth } from '../protocol/entry.ts';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { GENESIS_KEY, ledgerMoney, type MoneyKind } from '../protocol/genesis.ts';
import { domainFor, type Protocol } from '../protocol/protocol.ts';
import { UPLOAD_HEADERS } from '../protocol/uploadIntent.ts';
import { BlobStore } from '../store/blobs.ts';
import { type Db, openDatabase } from '../store/db.ts';
import { EntryStore } from '../store/entryStore.ts';
import { MoneyStore } from '../store/moneyStore.ts';
import { DatabaseUnavailable, isStorageFull } from '../store/sql.ts';
import { SqliteState } from '../store/stateStore.ts';
import { createProtocol } from './actions.ts';
import { AttributionService } from './attribution.ts';
import { AuthPool } from './authPool.ts';
import { CpuPool } from './cpuPool.ts';
import { ChainService } from './chain.ts';
import { chainConfigPath } from './chainConfig.ts';
import { ConfigError, type NodeConfig } from './config.ts';
import { NodeEvents } from './events.ts';
import { NodeKey } from './nodeKey.ts';
import type { Receipt } from './receipt.ts';
import { JobService } from './jobs.ts';
import { ServingService } from './serving.ts';
import { ModelService } from './models.ts';
import { Cluster, SequencerUnavailable } from './cluster.ts';
import type { Outcome } from './outcome.ts';
import { type Sequenced, Sequencer } from './sequencer.ts';
import { SettlementService } from './settlement.ts';
import { type UploadGrant, UploadService } from './uploads.ts';
import { startUploadSweep } from './uploadSweep.ts';

/** A signed action as it arrives from a wallet: the message, who says they signed it, and the signature. */
export interface SignedAction {
  action: ActionMessage;
  signer: string;
  signature: string;
  /** Optional: the domain the client signed over, checked so a mismatch gets a precise error. */
  domain?: { name?: string; version?: string; chainId?: number };
}

export class TributaryNode {
  readonly protocol: Protocol;
  readonly params: ProtocolParams;
  /** The money a new ledger's genesis entry will fix (see `moneyKind`). */
  private readonly genesisMoney: MoneyKind;
  readonly db: Db;
  readonly entries: EntryStore;
  readonly state: SqliteState;
  readonly blobs: BlobStore;
  readonly money: MoneyStore;
  readonly sequencer: Sequencer;
  private readonly auth: AuthPool;
  /** Worker threads for the heavy steps of requests (tokenizing, attribution, content checks), each with a time budget. */
  readonly cpu: CpuPool;
  readonly attribution: AttributionService;
  readonly settlement: SettlementService;
  readonly models: ModelService;
  /** Owners and quotas of uploaded model files and staged blobs. */
  readonly uploads: UploadService;
  private stopSweep: () => void = () => {};
  readonly jobs: JobService;
  readonly serving: ServingService;
  readonly chain: ChainService;
  /** Several nodes on one PostgreSQL database: the sequencer lease and the submission queue. */
  readonly cluster?: Cluster;
  /** Batches, refusals, served calls and chain posts as they happen, for metrics and logs. */
  readonly events = new NodeEvents();

  private constructor(
    readonly config: NodeConfig,
    readonly key: NodeKey,
  ) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    this.db = openDatabase(config);
    this.protocol = createProtocol();
    this.entries = new EntryStore(this.db);
    this.state = new SqliteState(this.db);
    this.blobs = new BlobStore(this.db, config.stagedBlobMs);
    this.money = new MoneyStore(this.db);
    const genesis = this.state.get<ProtocolParams>(GENESIS_KEY);
    this.params = genesis ?? { chainId: config.chainId, origin: key.name, nodeKey: key.verifierKey };
    if (genesis && genesis.nodeKey !== key.verifierKey)
      throw new Error(`node.key in ${config.dataDir} is not the key this log was started with (${genesis.nodeKey})`);
    // A new ledger's money: as configured; else real where it will settle on chain or in
    // production, play (the dev faucet) otherwise. Once genesis fixed it, nothing changes it.
    this.genesisMoney = config.money ?? (config.chain || !config.dev ? 'real' : 'play');
    const refusal = this.moneyRefusal(genesis !== undefined);
    if (refusal) {
      this.db.close();
      throw new ConfigError(refusal);
    }
    this.cpu = new CpuPool(config.cpuWorkers, config.cpuBudgetMs);
    this.attribution = new AttributionService(this);
    this.settlement = new SettlementService(this);
    this.models = new ModelService(this);
    this.uploads = new UploadService(this);
    this.jobs = new JobService(this);
    this.serving = new ServingService(this);
    this.chain = new ChainService(this, config.chain);
    this.auth = new AuthPool(this.protocol, this.params, config.authWorkers);
    if (config.databaseUrl)
      this.cluster = new Cluster(
        this.db,
        this.entries,
        {
          lead: () => this.lead(),
          follow: () => this.stopLeaderWork(),
          grew: (size, actions) => {
            this.sequencer.follow(size);
            for (const a of actions) this.touchIndexes(a);
          },
          sequence: (row) => this.sequenceQueued(row.id, row.kind, row.body),
          size: () => this.sequencer.size,
        },
        config.cluster,
      );
    this.sequencer = new Sequencer({
      db: this.db,
      entries: this.entries,
      state: this.state,
      blobs: this.blobs,
      money: this.money,
      protocol: this.protocol,
      params: this.params,
      signCheckpoint: (size, root, stateRoot) => key.signCheckpoint(size, root, stateRoot),
      maxBatch: config.maxBatch,
      onBatch: (report) => this.events.emit('batch', report),
      onCommitFailed: (e) => this.events.emit('commitFailed', e),
      ...(this.cluster ? { queue: this.cluster.queue, fence: () => this.cluster!.fence() } : {}),
    });
  }

  static async open(config: NodeConfig): Promise<TributaryNode> {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    const node = new TributaryNode(config, NodeKey.loadOrCreate(config.dataDir));
    // Every node sweeps its own files: model files live in each node's data directory.
    node.stopSweep = startUploadSweep(node, config.uploadSweepMs);
    if (!node.cluster) {
      try {
        await node.lead();
      } catch (e) {
        node.close();
        throw e;
      }
      return node;
    }
    await node.cluster.start();
    // A node that does not sequence waits for the lease holder to write the genesis entry.
    const end = Date.now() + config.cluster.answerTimeoutMs;
    while (node.size === 0) {
      if (Date.now() > end) throw new Error('no node of this cluster wrote the genesis entry in time: is the sequencer running?');
      await new Promise((r) => setTimeout(r, 50));
      node.cluster.catchUp();
    }
    // The lease holder would refuse to bind other contracts (and keep failing to lead): say so now.
    const refused = node.chain.bindingRefused();
    if (refused) {
      node.close();
      throw new ConfigError(refused);
    }
    return node;
  }

  /** Is this the node that sequences (always, on SQLite; the lease holder, in a cluster)? */
  get sequencing(): boolean {
    return !this.cluster || this.cluster.isLeader;
  }

  /** Starts what only the sequencing node does: genesis on an empty log, epoch closes, the chain worker. */
  private async lead(): Promise<void> {
    this.state.setCaching(true);
    this.sequencer.reload();
    if (this.sequencer.size === 0)
      await this.sequenceNodeAction({ type: 'Genesis', origin: this.params.origin, chainId: this.params.chainId, nodeKey: this.params.nodeKey, money: this.genesisMoney });
    await this.bindChain();
    // Holds of inference calls that no process will settle (a restart's, a dead node's) go back now.
    await this.serving.reservations.sweep();
    this.settlement.startTimer(this.config.epochSeconds);
    this.chain.start();
  }

  /** Why this configuration cannot open this ledger's money, if it cannot. */
  private moneyRefusal(hasGenesis: boolean): string | undefined {
    const c = this.config;
    if (hasGenesis && c.money && c.money !== this.moneyKind)
      return `this ledger holds ${this.moneyKind} money (its genesis entry says so); TRIBUTARY_MONEY=${c.money} cannot change that: start a new data directory for a ${c.money}-money ledger`;
    if (c.chain && this.moneyKind === 'play')
      return (
        `this ledger holds play money (${hasGenesis ? 'its genesis entry says so' : 'TRIBUTARY_MONEY=play'}): it can never be bound to a chain, or faucet credit would be paid out of real deposits. ` +
        `Remove ${chainConfigPath(c.dataDir)} (and TRIBUTARY_RPC_URL), or start a real-money ledger (TRIBUTARY_MONEY=real or NODE_ENV=production) in a new data directory`
      );
    return undefined;
  }

  /** Records the configured chain in the log; a refusal stops the node, saying why. */
  private async bindChain(): Promise<void> {
    const action = this.chain.bindingAction();
    if (!action) return;
    try {
      await this.sequenceNodeAction(action);
    } catch (e) {
      if (e instanceof ActionRejected) throw new ConfigError(`cannot settle on chain ${action.chainId as number} (vault ${action.vault as string}): ${e.message}`);
      throw e;
    }
  }

  private stopLeaderWork(): void {
    this.state.setCaching(false);
    // A failed batch of its time as sequencer says nothing about this node as a follower (readiness).
    this.sequencer.commitError = undefined;
    this.settlement.stop();
    void this.chain.stop();
  }

  /** The lease holder sequences a submission another node queued. */
  private async sequenceQueued(queueId: number, kind: string, body: string): Promise<void> {
    if (kind === 'signed') await this.sequenceSigned(JSON.parse(body) as SignedAction, undefined, queueId);
    else await this.sequenceNodeAction(JSON.parse(body) as Omit<ActionMessage, 'nonce'>, queueId);
  }

  /** The receipt for a queued submission's outcome, proved against its batch's checkpoint. */
  private queuedReceipt(o: Extract<Outcome, { ok: true }>): Receipt {
    const bytes = this.entries.get(o.index)!;
    const cp = this.entries.checkpointAt(o.size)!;
    return this.receipt({ index: o.index, leafHash: hashLeaf(bytes), entry: bytes, result: o.result, checkpoint: { size: cp.size, note: cp.note } });
  }

  get size(): number {
    return this.sequencer.size;
  }

  /** Play money (the dev faucet, never paid out) or real money (chain deposits only), as genesis fixed it. */
  get moneyKind(): MoneyKind {
    return this.state.get(GENESIS_KEY) === undefined ? this.genesisMoney : ledgerMoney(this.state);
  }

  /** Authenticates, checks content, sequences; resolves once the entry is durable. */
  submitSigned(signed: SignedAction, content?: Uint8Array): Promise<Receipt> {
    if (!this.sequencing) return this.reported(signed.action.type, this.forwardSigned(signed, content));
    return this.reported(signed.action.type, this.sequenceSigned(signed, content));
  }

  /**
   * A node without the sequencer lease: stage the content (as an upload of the action's
   * signer, so it is checked and charged like one), queue the action, wait for its outcome.
   */
  private async forwardSigned(signed: SignedAction, content?: Uint8Array): Promise<Receipt> {
    if (content !== undefined) {
      if (signed.action.type !== 'Contribute') throw reject.invalid('content', `${String(signed.action.type)} takes no content`);
      if (typeof signed.action.contentHash !== 'string') throw reject.invalid('action.contentHash', 'must be the 0x SHA-256 of the content');
      const { signer } = await this.authenticateSigned(signed);
      const grant = this.uploads.grant('blob', signed.action.contentHash, signer, content.length);
      try {
        this.stageBlob(grant, content);
      } finally {
        grant.release();
      }
    }
    return this.queuedReceipt(await this.cluster!.forward('signed', signed));
  }

  private async authenticateSigned(signed: SignedAction) {
    const def = this.protocol.get(signed.action.type);
    if (def.signer !== 'user') throw reject.forbidden('action.type', `${def.type} is signed by the node, not by accounts`);
    this.checkDomain(signed.domain);
    const action = normaliseMessage(def, signed.action) as ActionMessage;
    const auth = { scheme: 'eip712' as const, signer: signed.signer.toLowerCase(), signature: signed.signature.toLowerCase() };
    return { def, action, auth, signer: await this.auth.authenticate(action, auth) };
  }

  private async sequenceSigned(signed: SignedAction, content?: Uint8Array, queueId?: number): Promise<Receipt> {
    const { def, action, auth, signer } = await this.authenticateSigned(signed);
    const blob = def.type === 'Contribute' ? await this.intake(action, content) : undefined;
    if (def.type !== 'Contribute' && content !== undefined) throw reject.invalid('content', `${def.type} takes no content`);
    const duplicate = blob ? await this.duplicateCheck(action.datanet as string, blob.bytes) : undefined;
    const attest = await this.attest(def.type, action, auth, signer);
    const receipt = this.receipt(await this.sequencer.submit({ action, auth, signer, blob, attest: attest as unknown as Entry['attest'], queueId }));
    if (def.type === 'CompleteTrainingJob') this.jobs.release(action.job as number);
    if (duplicate)
      await this.submitNodeAction({ type: 'FlagDuplicate', contribution: receipt.index, coveragePpm: duplicate.coveredPpm, repeats: duplicate.repeats.slice(0, 64) });
    this.touchIndexes(action);
    return receipt;
  }

  /** What the node measures about an action before sequencing it, for its entry's `attest`. */
  private async attest(type: string, action: ActionMessage, auth: EntryAuth, signer: string): Promise<object | undefined> {
    if (type === 'RegisterModel') return this.settlement.attestRegisterModel(action, auth, signer);
    if (type === 'CreateDatanet' && action.kind === 'jsonl' && action.schema !== '') {
      this.checkRules(action, auth, signer);
      await this.cpu.run('compileSchema', { schema: action.schema as string }, `compiling a schema of ${(action.schema as string).length} characters`);
    }
    if (type === 'RegisterBaseModel') return this.models.attestBaseModel(action);
    if (type === 'CompleteTrainingJob') return this.jobs.attestComplete(action, signer);
    if (type === 'CancelTrainingJob') this.jobs.checkCancel(action.job as number);
    if (type === 'Withdraw' && this.moneyKind === 'real' && !this.chain.configured)
      throw new ActionRejected(409, 'no_chain', 'action.type', 'this node has no chain configured: there is nowhere to pay a withdrawal out (see tributary chain deploy)');
    return undefined;
  }

  /**
   * Runs every rule of a user action (expiry, nonce, its own apply) against the current
   * state, writing nothing, with `measured` standing in for what the node has yet to
   * measure: the cheap checks, so that an action refused anyway costs no expensive one.
   */
  checkRules(action: ActionMessage, auth: EntryAuth, signer: string, measured?: Entry['attest']): void {
    this.protocol.apply(this.state, this.params, { v: 1, index: this.size, time: Date.now(), action, auth, ...(measured ? { attest: measured } : {}) }, signer);
  }

  /**
   * Near-duplicate intake: how much of the new text long spans of earlier contributions
   * already cover. Above the datanet's threshold it is refused or flagged, per its policy.
   */
  private async duplicateCheck(datanet: string, bytes: Uint8Array): Promise<{ coveredPpm: number; repeats: number[] } | undefined> {
    const policy = this.state.get<DuplicatePolicy>(keys.duplicatePolicy(datanet)) ?? DEFAULT_DUPLICATE_POLICY;
    if (policy.policy === 'off') return undefined;
    const cov = await this.attribution.coverage(datanet, bytes, policy.minSpan);
    if (cov.coveredPpm < policy.thresholdPpm || cov.repeats.length === 0) return undefined;
    if (policy.policy === 'reject')
      throw reject.conflict(
        'content',
        `${(cov.coveredPpm / 10_000).toFixed(1)}% of this content repeats earlier contributions ${cov.repeats.slice(0, 10).join(', ')} in ${datanet} ` +
          `(spans of ${policy.minSpan}+ tokens; this datanet refuses above ${(policy.thresholdPpm / 10_000).toFixed(1)}%); the earlier contributors keep the credit`,
        { coveragePpm: cov.coveredPpm, repeats: cov.repeats },
      );
    return cov;
  }

  /** Datanet contents changed: let its attribution index catch up in the background. */
  private touchIndexes(action: ActionMessage): void {
    if (action.type === 'Contribute' || action.type === 'Snapshot') this.attribution.touch(action.datanet as string);
    else if (action.type === 'Curate' || action.type === 'OptOut') {
      const c = findContribution(this.state, action.contribution as number);
      if (c) this.attribution.touch(c.datanet);
    }
  }

  /** Signs and sequences one of the node's own actions; a random nonce is added. */
  submitNodeAction(action: Omit<ActionMessage, 'nonce'>): Promise<Receipt> {
    if (!this.sequencing) return this.reported(action.type as string, this.cluster!.forward('node', action).then((o) => this.queuedReceipt(o)));
    return this.reported(action.type as string, this.sequenceNodeAction(action));
  }

  private async sequenceNodeAction(action: Omit<ActionMessage, 'nonce'>, queueId?: number): Promise<Receipt> {
    const def: ActionDefinition = this.protocol.get(action.type as string);
    const full = normaliseMessage(def, { ...action, nonce: BigInt('0x' + randomBytes(16).toString('hex')).toString() }) as ActionMessage;
    const auth = { scheme: 'ed25519' as const, signature: this.key.signAction(this.params.chainId, full) };
    return this.receipt(await this.sequencer.submit({ action: full, auth, signer: this.params.nodeKey, queueId }));
  }

  /** Tells observers about a refusal, whichever step refused. */
  private async reported(type: unknown, submission: Promise<Receipt>): Promise<Receipt> {
    try {
      return await submission;
    } catch (e) {
      const [status, code] =
        e instanceof ActionRejected
          ? [e.status, e.code]
          : isStorageFull(e)
            ? [507, 'insufficient_storage']
            : e instanceof DatabaseUnavailable || e instanceof SequencerUnavailable
              ? [503, 'unavailable']
              : [500, 'internal'];
      this.events.emit('rejected', { type: String(type), status, code });
      throw e;
    }
  }

  /** Holds uploaded bytes until a Contribute claims them, charged to the uploader the grant names. */
  stageBlob(grant: UploadGrant, bytes: Uint8Array): void {
    const actual = sha256Hex(bytes);
    if (actual !== grant.hash) throw reject.invalid('content', `content SHA-256 is ${actual}, not ${grant.hash}`);
    if (bytes.length !== grant.size) throw reject.invalid(UPLOAD_HEADERS.size, `the body is ${bytes.length} bytes, the upload declared ${grant.size}`);
    const now = Date.now();
    this.db.transaction(() => {
      this.blobs.stage(actual, bytes, now);
      this.uploads.record(grant, now);
    })();
  }

  /** A receipt for any entry already in the log, proved against the latest checkpoint. */
  receiptFor(index: number): Receipt {
    const bytes = this.entry(index);
    const cp = this.entries.latestCheckpoint()!;
    const leaf = this.sequencer.merkleTree.leafHash(index).toString('hex');
    return {
      index,
      leafHash: leaf,
      entry: bytes.toString('base64'),
      checkpoint: cp.note,
      inclusionProof: { index, size: cp.size, leafHash: leaf, hashes: this.sequencer.merkleTree.inclusionProof(index, cp.size).map((h) => h.toString('hex')) },
      result: {},
    };
  }

  checkpoint(): string {
    return this.entries.latestCheckpoint()!.note;
  }

  entry(index: number): Buffer {
    if (!Number.isSafeInteger(index) || index < 0) throw reject.invalid('index', 'must be a non-negative integer');
    const size = this.sizeReaching(index + 1);
    if (index >= size) throw reject.invalid('index', `index ${index} is not below tree size ${size}`);
    return this.entries.get(index)!;
  }

  leafHash(index: number): Buffer {
    this.entry(index);
    return this.sequencer.merkleTree.leafHash(index);
  }

  inclusionProof(index: number, size: number): Buffer[] {
    this.checkSize('size', size);
    if (index >= size) throw reject.invalid('index', `index ${index} is not below size ${size}`);
    return this.treeCall(() => this.sequencer.merkleTree.inclusionProof(index, size));
  }

  consistencyProof(from: number, to: number): Buffer[] {
    this.checkSize('to', to);
    if (from > to) throw reject.invalid('from', `from ${from} is greater than to ${to}`);
    return this.treeCall(() => this.sequencer.merkleTree.consistencyProof(from, to));
  }

  close(): void {
    this.stopSweep();
    this.cluster?.stop();
    this.settlement.stop();
    void this.chain.stop();
    void this.serving.close();
    void this.auth.close();
    void this.cpu.close();
    void this.attribution.close();
    this.db.close();
  }

  private checkSize(field: string, size: number): void {
    const have = this.sizeReaching(size);
    if (size > have) throw reject.invalid(field, `${field} ${size} is beyond the tree size ${have}`);
  }

  /**
   * The log size, caught up first if it is below `wanted` and another node sequences: a
   * client that was just answered by the sequencer can read its entry here at once.
   */
  private sizeReaching(wanted: number): number {
    if (wanted > this.size && !this.sequencing) this.cluster!.catchUp();
    return this.size;
  }

  private treeCall<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof TreeRangeError) throw reject.invalid('size', e.message);
      throw e;
    }
  }

  private checkDomain(domain: SignedAction['domain']): void {
    if (!domain) return;
    const want = domainFor(this.params.chainId);
    if (domain.name !== undefined && domain.name !== want.name)
      throw reject.invalid('domain.name', `this node's EIP-712 domain name is "${want.name}", not "${domain.name}"`);
    if (domain.version !== undefined && domain.version !== want.version)
      throw reject.invalid('domain.version', `this node's EIP-712 domain version is "${want.version}", not "${domain.version}"`);
    if (domain.chainId !== undefined && domain.chainId !== want.chainId)
      throw reject.invalid('domain.chainId', `this node's EIP-712 chainId is ${want.chainId}, not ${domain.chainId}`);
  }

  /** Checks a contribution's bytes (hash, UTF-8, the datanet's schema) on a CPU worker: up to maxContentBytes of them. */
  private async intake(action: ActionMessage, content: Uint8Array | undefined) {
    const hash = action.contentHash as string;
    const dn = this.state.get<DatanetRecord>(keys.datanet(action.datanet as string));
    if (!dn) throw reject.notFound('action.datanet', `no datanet named ${action.datanet as string}`);
    const bytes = content ?? this.blobs.staged(hash);
    if (!bytes) throw reject.invalid('content', `no content: send it base64 in "content", or PUT /v1/blobs/${hash} first`);
    const message = { contentHash: hash, size: action.size as number };
    await this.cpu.run('contentProblem', { datanet: dn, message, bytes, maxBytes: this.config.maxContentBytes }, `checking ${bytes.length} bytes of content`);
    return { hash, bytes };
  }

  receipt(s: Sequenced): Receipt {
    const hex = s.leafHash.toString('hex');
    return {
      index: s.index,
      leafHash: hex,
      entry: s.entry.toString('base64'),
      checkpoint: s.checkpoint.note,
      inclusionProof: {
        index: s.index,
        size: s.checkpoint.size,
        leafHash: hex,
        hashes: this.sequencer.merkleTree.inclusionProof(s.index, s.checkpoint.size).map((h) => h.toString('hex')),
      },
      result: s.result,
    };
  }
}
