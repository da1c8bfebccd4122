// A Tributary node: opens the data directory, writes the genesis entry on first
// start, and offers the operations the API and the CLI need: submit a signed action,
// submit one of the node's own, read the log and its proofs. It is the assembly: it
// builds the stores, the sequencer and the services, hands each only what it needs
// (its *Deps), and runs each action type's hooks (prepare, after) found by type in
// actions.ts. It holds no HTTP, and never branches on an action's name: what an action
// means on a node lives beside the action, in its domain.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { sha256Hex } from '../datanets/intake.ts';
import { type DatanetRecord, keys } from '../datanets/records.ts';
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { TreeRangeError } from '../nodeLedger/tree.ts';
import { type ActionDefinition, normaliseMessage, type ProtocolParams } from '../protocol/action.ts';
import type { ActionHooks, Attest, NodeCapabilities } from '../protocol/nodeHooks.ts';
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
import { SqlState } from '../store/stateStore.ts';
import { createHooks, createProtocol } from './actions.ts';
import { AttributionService } from './attributionService.ts';
import { AuthPool } from './authPool.ts';
import { CpuPool } from './cpuPool.ts';
import { ChainService } from './chainService.ts';
import { chainConfigPath } from './chainConfig.ts';
import { ConfigError, type NodeConfig } from './config.ts';
import { NodeEvents } from './events.ts';
import { NodeKey } from './nodeKey.ts';
import type { Receipt } from './receipt.ts';
import { JobService } from './jobService.ts';
import { ServingService } from './servingService.ts';
import { ModelService } from './modelService.ts';
import { Cluster, SequencerUnavailable } from './cluster.ts';
import type { Outcome } from './outcome.ts';
import { type Sequenced, Sequencer } from './sequencer.ts';
import { SettlementService } from './settlementService.ts';
import { type UploadGrant, UploadService } from './uploadService.ts';
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
  /** Each action type's node-side hooks (intake, attestation, after-effects), declared beside the type in its domain. */
  private readonly hooks: ReadonlyMap<string, ActionHooks>;
  /** What those hooks may ask of this node. */
  private readonly capabilities: NodeCapabilities;
  readonly params: ProtocolParams;
  /** The money a new ledger's genesis entry will fix (see `moneyKind`). */
  private readonly genesisMoney: MoneyKind;
  readonly db: Db;
  readonly entries: EntryStore;
  readonly state: SqlState;
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
    this.hooks = createHooks(this.protocol);
    this.entries = new EntryStore(this.db);
    this.state = new SqlState(this.db);
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
    // Each service gets what it needs, not the node; calls between services go through closures.
    const submitNodeAction = (action: Omit<ActionMessage, 'nonce'>) => this.submitNodeAction(action);
    const { state, blobs, cpu, db } = this;
    this.attribution = new AttributionService({ state, blobs, cpu, config, logSize: () => this.size });
    this.settlement = new SettlementService({
      state,
      blobs,
      cpu,
      money: this.money,
      config,
      moneyKind: () => this.moneyKind,
      submitNodeAction,
      checkRules: (action, auth, signer, measured) => this.checkRules(action, auth, signer, measured),
      checkAdapter: (base, adapter) => this.models.checkAdapter(base, adapter),
      attributeOutput: (model, output) => this.attribution.attribute(this.attribution.modelScope(model), output),
      epochClosed: () => this.chain.epochClosed(),
    });
    this.models = new ModelService({ state, dataDir: config.dataDir, recordUpload: (grant) => this.uploads.record(grant) });
    this.uploads = new UploadService({ db, chainId: this.params.chainId, config, account: (authorization) => this.serving.account(authorization) });
    this.jobs = new JobService({ db, chainId: this.params.chainId, state, blobs, files: this.models.files, cpu, config });
    this.serving = new ServingService({
      state,
      config,
      files: this.models.files,
      events: this.events,
      cluster: () => this.cluster,
      sequencing: () => this.sequencing,
      submitNodeAction,
      recordInference: (x) => this.settlement.recordInference(x),
    });
    this.chain = new ChainService(
      {
        db,
        state,
        entries: this.entries,
        logRoot: (size) => this.sequencer.merkleTree.root(size),
        events: this.events,
        submitNodeAction,
        epoch: (n) => this.settlement.epoch(n),
      },
      config.chain,
    );
    this.capabilities = this.createCapabilities();
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
            for (const a of actions) this.followed(a);
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
    node.stopSweep = startUploadSweep(
      { state: node.state, blobs: node.blobs, uploads: node.uploads.store, files: node.models.files, config },
      config.uploadSweepMs,
    );
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
      const hooks = this.hooks.get(signed.action.type as string);
      if (!hooks?.contentHash) throw reject.invalid('content', `${String(signed.action.type)} takes no content`);
      const hash = hooks.contentHash(signed.action);
      const { signer } = await this.authenticateSigned(signed);
      const grant = this.uploads.grant('blob', hash, signer, content.length);
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
    const hooks = this.hooks.get(def.type);
    if (content !== undefined && !hooks?.contentHash) throw reject.invalid('content', `${def.type} takes no content`);
    // The type's intake checks and attestations (its hooks, beside its definition).
    const prepared = await hooks?.prepare?.(
      { message: action, action, auth, signer, content, checkRules: (measured?: Attest) => this.checkRules(action, auth, signer, measured) },
      this.capabilities,
    );
    const receipt = this.receipt(await this.sequencer.submit({ action, auth, signer, blob: prepared?.blob, attest: prepared?.attest, queueId }));
    await hooks?.after?.({ message: action, action, sequenced: { index: receipt.index, carry: prepared?.carry } }, this.capabilities);
    return receipt;
  }

  /**
   * An entry another node of the cluster sequenced: its type's after-effects that every
   * node carries out (an index to touch), without the sequencing node's own follow-ups.
   */
  private followed(action: ActionMessage): void {
    const done = this.hooks.get(action.type)?.after?.({ message: action, action }, this.capabilities);
    // Nobody waits on a follower's after-effects: a failure is reported, not thrown into the cluster's poll.
    if (done) done.catch((e: unknown) => process.emitWarning(`after-effects of a followed ${action.type} failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /**
   * Runs every rule of a user action (expiry, nonce, its own apply) against the current
   * state, writing nothing, with `measured` standing in for what the node has yet to
   * measure: the cheap checks, so that an action refused anyway costs no expensive one.
   */
  checkRules(action: ActionMessage, auth: EntryAuth, signer: string, measured?: Entry['attest']): void {
    this.protocol.apply(this.state, this.params, { v: 1, index: this.size, time: Date.now(), action, auth, ...(measured ? { attest: measured } : {}) }, signer);
  }

  /** The node as action hooks see it: reads, CPU-worker checks and the services' measurements, nothing more. */
  private createCapabilities(): NodeCapabilities {
    return {
      state: this.state,
      moneyKind: () => this.moneyKind,
      chainConfigured: () => this.chain.configured,
      stagedBlob: (hash) => this.blobs.staged(hash),
      checkContent: async (datanet, declared, bytes) => {
        const dn = this.state.get<DatanetRecord>(keys.datanet(datanet));
        if (!dn) throw reject.notFound('action.datanet', `no datanet named ${datanet}`);
        await this.cpu.run('contentProblem', { datanet: dn, message: declared, bytes, maxBytes: this.config.maxContentBytes }, `checking ${bytes.length} bytes of content`);
      },
      coverage: (datanet, bytes, minSpan) => this.attribution.coverage(datanet, bytes, minSpan),
      compileSchema: async (schema) => {
        await this.cpu.run('compileSchema', { schema }, `compiling a schema of ${schema.length} characters`);
      },
      attestRegisterModel: async (action, auth, signer) => (await this.settlement.attestRegisterModel(action, auth, signer)) as Attest | undefined,
      attestBaseModel: (action) => this.models.attestBaseModel(action) as unknown as Attest,
      attestTrainingResult: async (action, signer) => (await this.jobs.attestComplete(action, signer)) as unknown as Attest,
      checkTrainingCancel: (job) => this.jobs.checkCancel(job),
      releaseTrainingLease: (job) => this.jobs.release(job),
      touchAttributionIndex: (datanet) => this.attribution.touch(datanet),
      submitNodeAction: (action) => this.submitNodeAction(action),
    };
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
