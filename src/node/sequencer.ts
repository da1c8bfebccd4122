// The single writer. It takes authenticated actions, and for each batch, in ONE SQLite
// transaction, applies every action to state, appends the accepted ones to the log and
// the Merkle tree, and signs a checkpoint; only after that transaction commits (WAL,
// synchronous=FULL) does any submitter hear back. Under load, everything that arrives
// while a batch commits goes into the next one (group commit).
import { hashLeaf } from '../nodeLedger/hasher.ts';
import { MerkleTree } from '../nodeLedger/tree.ts';
import type { ProtocolParams } from '../protocol/action.ts';
import { type ActionMessage, type Entry, type EntryAuth, encodeEntry } from '../protocol/entry.ts';
import { ActionRejected } from '../protocol/errors.ts';
import type { Protocol } from '../protocol/protocol.ts';
import type { JsonValue } from '../protocol/state.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { Db } from '../store/db.ts';
import type { EntryStore } from '../store/entryStore.ts';
import type { MoneyStore } from '../store/moneyStore.ts';
import { SqlHashStore } from '../store/hashStore.ts';
import type { SqlState } from '../store/stateStore.ts';
import type { SubmissionQueue } from '../store/submissionQueue.ts';
import type { BatchReport } from './events.ts';
import { recordEntry } from './applyEntry.ts';
import { type Outcome, refusalOutcome } from './outcome.ts';

export interface Submission {
  action: ActionMessage;
  auth: EntryAuth;
  /** Who signed, already checked by `Protocol.authenticate`. */
  signer: string;
  /** The content a Contribute claims, already checked against its hash. */
  blob?: { hash: string; bytes: Uint8Array };
  /** What the node measured about the action, recorded in its entry (Entry.attest). */
  attest?: Entry['attest'];
  /** The row of the submission queue this came from (another node queued it): its outcome is recorded with the batch. */
  queueId?: number;
}

/** A queued submission some batch already sequenced: its outcome is in the queue, not to be written again. */
export class AlreadySequenced extends Error {
  constructor(readonly queueId: number) {
    super(`submission ${queueId} was sequenced already`);
  }
}

export interface Sequenced {
  index: number;
  leafHash: Buffer;
  entry: Buffer;
  result: { [k: string]: JsonValue };
  /** The checkpoint signed at the end of the batch that holds this entry. */
  checkpoint: { size: number; note: string };
}

export interface SequencerDeps {
  db: Db;
  entries: EntryStore;
  state: SqlState;
  blobs: BlobStore;
  money: MoneyStore;
  protocol: Protocol;
  params: ProtocolParams;
  /** Formats and signs a checkpoint for (size, root, stateRoot). */
  signCheckpoint(size: number, root: Buffer, stateRoot: Buffer): string;
  now?: () => number;
  maxBatch?: number;
  /** Told after each batch commits, and when one rolls back (observers: metrics, logs). */
  onBatch?(report: BatchReport): void;
  onCommitFailed?(e: { message: string; submissions: number }): void;
  /** Several nodes: where queued submissions' outcomes are recorded. */
  queue?: SubmissionQueue;
  /** Several nodes: throws unless this node still holds the sequencer lease; run first in every batch. */
  fence?(): void;
}

interface Pending {
  sub: Submission;
  resolve(s: Sequenced): void;
  reject(e: unknown): void;
}

export class Sequencer {
  private queue: Pending[] = [];
  private scheduled = false;
  private tree: MerkleTree;
  private lastTime = 0;
  private readonly hashStore: SqlHashStore;
  private readonly now: () => number;
  private readonly maxBatch: number;
  /** Entries sequenced since start, and batches committed: for metrics and benchmarks. */
  stats = { entries: 0, batches: 0 };
  /** A rollback could not reload from the database: reload before the next batch. */
  private stale = false;
  /** Why the latest batch's transaction rolled back, if it did; cleared when a batch commits. */
  commitError: { message: string; at: number } | undefined;

  constructor(private readonly d: SequencerDeps) {
    this.hashStore = new SqlHashStore(d.db);
    this.tree = new MerkleTree(this.hashStore, 0);
    this.now = d.now ?? Date.now;
    this.maxBatch = d.maxBatch ?? 4096;
    this.reload();
  }

  /**
   * Forgets what is held in memory (tree size, caches, the running state hash, the next
   * journal line) and reads it from the database: after a rollback, and when this node
   * takes the sequencer over from another.
   */
  reload(): void {
    this.hashStore.clearCache();
    this.tree = new MerkleTree(this.hashStore, this.d.entries.count());
    this.d.state.reloadHash();
    this.d.money.reload();
    const last = this.tree.size > 0 ? this.d.entries.get(this.tree.size - 1) : undefined;
    if (last) this.lastTime = (JSON.parse(last.toString('utf8')) as Entry).time;
  }

  /** A node that does not sequence: the log grew to `size` by another node's batches. */
  follow(size: number): void {
    if (size > this.tree.size) this.tree = new MerkleTree(this.hashStore, size);
  }

  get size(): number {
    return this.tree.size;
  }

  /** Submissions waiting for the next batch. */
  get queued(): number {
    return this.queue.length;
  }

  get merkleTree(): MerkleTree {
    return this.tree;
  }

  submit(sub: Submission): Promise<Sequenced> {
    return new Promise((resolve, reject) => {
      this.queue.push({ sub, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /** Runs batches until the queue is empty. Synchronous per batch: better-sqlite3 blocks. */
  private drain(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.runBatch(batch);
    }
  }

  private runBatch(batch: Pending[]): void {
    const accepted: Array<{ p: Pending; index: number; leaf: Buffer; entry: Buffer; result: Sequenced['result'] }> = [];
    const refused: Array<{ p: Pending; error: unknown }> = [];
    let checkpoint: Sequenced['checkpoint'] | undefined;
    const t0 = performance.now();
    const { db, entries, state, blobs, money, protocol, params } = this.d;
    try {
      if (this.stale) {
        this.reload();
        this.stale = false;
      }
      db.transaction(() => {
        this.d.fence?.();
        for (const p of batch) {
          if (p.sub.queueId !== undefined && !this.d.queue!.lockOpen(p.sub.queueId)) {
            refused.push({ p, error: new AlreadySequenced(p.sub.queueId) });
            continue;
          }
          const time = Math.max(this.lastTime, this.now());
          const index = this.tree.size;
          const entry: Entry = { v: 1, index, time, action: p.sub.action, auth: p.sub.auth, ...(p.sub.attest ? { attest: p.sub.attest } : {}) };
          let applied;
          try {
            applied = protocol.apply(state, params, entry, p.sub.signer);
          } catch (e) {
            // A refusal changes nothing: apply is pure, and nothing is written before it returns.
            refused.push({ p, error: e });
            continue;
          }
          const bytes = encodeEntry(entry);
          const leaf = hashLeaf(bytes);
          const blob = p.sub.blob;
          recordEntry({ entries, tree: this.tree, state, money, blobs: {
            retain: (hash) => {
              if (!blob || blob.hash !== hash) throw new Error(`entry ${index} retains blob ${hash} but the submission carries no such content`);
              blobs.retain(hash, blob.bytes);
            },
            release: (hash) => blobs.release(hash),
          } }, entry, bytes, leaf, applied);
          this.lastTime = time;
          accepted.push({ p, index, leaf, entry: bytes, result: applied.result ?? {} });
        }
        if (accepted.length > 0) {
          state.saveHash();
          const size = this.tree.size;
          const stateRoot = state.hash.root();
          const note = this.d.signCheckpoint(size, this.tree.root(size), stateRoot);
          entries.saveCheckpoint({ size, note, stateRoot });
          checkpoint = { size, note };
        }
        // Outcomes of queued submissions commit with the batch: sequenced once, answered once.
        for (const a of accepted)
          if (a.p.sub.queueId !== undefined)
            this.record(a.p.sub.queueId, { ok: true, index: a.index, size: checkpoint!.size, result: a.result });
        for (const r of refused)
          if (r.p.sub.queueId !== undefined && !(r.error instanceof AlreadySequenced)) this.record(r.p.sub.queueId, refusalOutcome(r.error));
      })();
    } catch (e) {
      // The transaction rolled back: forget the in-memory tree, caches and state hash; reload from disk.
      this.reloadAfterRollback();
      const message = e instanceof Error ? e.message : String(e);
      this.commitError = { message, at: Date.now() };
      for (const p of batch) p.reject(e);
      this.d.onCommitFailed?.({ message, submissions: batch.length });
      return;
    }
    this.commitError = undefined;
    this.stats.batches++;
    this.stats.entries += accepted.length;
    for (const a of accepted)
      a.p.resolve({ index: a.index, leafHash: a.leaf, entry: a.entry, result: a.result, checkpoint: checkpoint! });
    for (const r of refused) r.p.reject(r.error);
    this.d.onBatch?.({
      accepted: accepted.map((a) => ({ index: a.index, type: a.p.sub.action.type, result: a.result })),
      refused: refused.length,
      ms: performance.now() - t0,
    });
  }

  private record(queueId: number, outcome: Outcome): void {
    this.d.queue!.complete(queueId, JSON.stringify(outcome));
  }

  /** A reload that itself fails (the database is down) is retried before the next batch. */
  private reloadAfterRollback(): void {
    try {
      this.reload();
      this.stale = false;
    } catch {
      this.stale = true;
    }
  }
}

export { ActionRejected };
