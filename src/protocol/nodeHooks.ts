// What an action type means on a node, beyond its pure `apply`: the checks and
// measurements before it is sequenced (`prepare`: content intake, what the node attests,
// refusals that need more than the state) and what follows once it is in the log
// (`after`: indexes to touch, leases to release, follow-up node actions). Each domain
// declares these hooks beside its action definitions (src/*/actions/*.hooks.ts); the
// node looks them up by type and never branches on an action's name.
//
// Types only. Hooks reach the node solely through `NodeCapabilities`, which the node
// implements, so that a domain never imports node/, store/, api/ or cli/. This file must
// never hold logic, nor import a domain.
import type { ActionMessage, Entry, EntryAuth } from './entry.ts';
import type { MoneyKind } from './genesis.ts';
import type { StateReader } from './state.ts';

/** The JSON object a node records about an action in its entry (Entry.attest). */
export type Attest = NonNullable<Entry['attest']>;

/** Content bytes a submission carries, already checked against their declared hash. */
export interface CheckedContent {
  hash: string;
  bytes: Uint8Array;
}

/** What hooks may ask of the node that runs them: reads, CPU-worker checks, node-only measurements. */
export interface NodeCapabilities {
  /** The current state (reads see everything sequenced so far). */
  readonly state: StateReader;
  /** Play or real money, as the genesis entry fixed it. */
  moneyKind(): MoneyKind;
  /** Whether this node is configured to settle on a chain (and so can pay withdrawals out). */
  chainConfigured(): boolean;
  /** Bytes an upload staged under this SHA-256 and no action has claimed yet. */
  stagedBlob(hash: string): Uint8Array | undefined;
  /** Checks content for a datanet (hash, size, UTF-8, the datanet's schema, the node's size limit) on a CPU worker; throws ActionRejected. */
  checkContent(datanet: string, declared: { contentHash: string; size: number }, bytes: Uint8Array): Promise<void>;
  /** How much of `bytes` spans of at least `minSpan` tokens of earlier contributions to `datanet` cover. */
  coverage(datanet: string, bytes: Uint8Array, minSpan: number): Promise<{ coveredPpm: number; repeats: number[] }>;
  /** Compiles a user-supplied JSON schema on a CPU worker, within its time budget; throws ActionRejected. */
  compileSchema(schema: string): Promise<void>;
  /** RegisterModel's measurements: token counts of the version's contributions, the adapter's check. */
  attestRegisterModel(action: ActionMessage, auth: EntryAuth, signer: string): Promise<Attest | undefined>;
  /** RegisterBaseModel's measurements of the base model file this node holds. */
  attestBaseModel(action: ActionMessage): Attest;
  /** CompleteTrainingJob's re-evaluation of the uploaded adapter, on a CPU worker. */
  attestTrainingResult(action: ActionMessage, signer: string): Promise<Attest>;
  /** Refuses a CancelTrainingJob while a worker holds the job's lease. */
  checkTrainingCancel(job: number): void;
  /** Drops a training job's worker lease (the job is done). */
  releaseTrainingLease(job: number): void;
  /** A datanet's contents changed: its attribution index catches up in the background. */
  touchAttributionIndex(datanet: string): void;
  /** Signs and sequences one of the node's own actions (a random nonce is added). */
  submitNodeAction(action: Omit<ActionMessage, 'nonce'>): Promise<unknown>;
}

/** One signed submission, authenticated, before it is sequenced. */
export interface PrepareContext<M extends object> {
  /** The normalised message, typed as the action declares it. */
  message: M;
  action: ActionMessage;
  auth: EntryAuth;
  signer: string;
  /** Bytes sent with the submission (only for types that declare `contentHash`). */
  content?: Uint8Array;
  /**
   * Runs every rule of the action against the current state without writing, with
   * `measured` standing in for what the node has yet to measure: the cheap checks, so
   * that an action refused anyway costs no expensive one.
   */
  checkRules(measured?: Attest): void;
}

/** What `prepare` hands the sequencer (attest, content) and its own `after` (carry). */
export interface Prepared<P> {
  attest?: Attest;
  blob?: CheckedContent;
  /** Passed to `after` on the node that prepared the submission. */
  carry?: P;
}

/** An entry now in the log. */
export interface AfterContext<M extends object, P> {
  message: M;
  action: ActionMessage;
  /**
   * Present on the node that prepared and sequenced the submission; absent where a node
   * only follows entries another node of its cluster sequenced.
   */
  sequenced?: { index: number; carry?: P };
}

// The default message type is as loose as ActionDefinition's, so that hooks of every type share one list.
export interface ActionHooks<M extends object = Record<string, any>, P = unknown> {
  /** The action type (the `type` of its ActionDefinition). */
  type: string;
  /**
   * Only for types that take content bytes beside the message: the content's declared
   * SHA-256 from a raw (not yet authenticated) message; throws ActionRejected naming the
   * field if it is missing or malformed. Types without it refuse content.
   */
  contentHash?(raw: Record<string, unknown>): string;
  prepare?(ctx: PrepareContext<M>, node: NodeCapabilities): Promise<Prepared<P> | undefined>;
  after?(ctx: AfterContext<M, P>, node: NodeCapabilities): Promise<void> | void;
}
