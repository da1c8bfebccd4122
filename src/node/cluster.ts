// Several API nodes on one PostgreSQL database, one sequencer. The node holding the
// sequencer lease (a session-level advisory lock on its database connection) sequences;
// every other node queues its writes in the database (SubmissionQueue) and waits for the
// outcome, and follows the log as it grows. A node whose connection drops loses the lock
// with it; each batch checks the lock inside its own transaction, and entries are keyed by
// index, so two nodes can never both append entry n: the log cannot fork.
import { decodeEntry } from '../protocol/entry.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { DatabaseUnavailable, type Db } from '../store/sql.ts';
import type { EntryStore } from '../store/entryStore.ts';
import { type QueuedSubmission, type SubmissionKind, SubmissionQueue } from '../store/submissionQueue.ts';
import { type Outcome, refusalError, refusalOutcome } from './outcome.ts';
import { AlreadySequenced } from './sequencer.ts';

/** The advisory lock key of the sequencer lease (below 2^31, so pg_locks shows it as objid). */
const LEASE_KEY = 7_105_002;
/** The advisory lock class of serving processes' liveness locks (two-key form: class, instance). */
const INSTANCE_CLASS = 7_105_003;
/** A queued row claimed this long ago and still open is claimed again (its claimant died). */
const RECLAIM_MS = 5_000;

/** This node cannot sequence now (it is not, or no longer, the lease holder, or none answered in time). */
export class SequencerUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SequencerUnavailable';
  }
}

export interface ClusterHooks {
  /** This node took the lease: reload what the previous holder wrote and start sequencing. */
  lead(): Promise<void> | void;
  /** This node lost the lease: stop the work only the sequencer does. */
  follow(): void;
  /** The log grew to `size` by another node's batches; `actions` are the new entries' actions. */
  grew(size: number, actions: ActionMessage[]): void;
  /** Sequence a queued submission here (this node holds the lease). */
  sequence(row: QueuedSubmission): Promise<void>;
  /** How far this node's view of the log reaches. */
  size(): number;
}

export interface ClusterOptions {
  /** How often a node without the lease tries to take it, in ms: the bound on a takeover. */
  leasePollMs: number;
  /** How often the lease holder looks for queued submissions, in ms. */
  pollMs: number;
  /** How often a node without the lease looks for new entries, in ms (it also catches up whenever asked for one it lacks). */
  followMs: number;
  /** How long a queued submission may wait for its outcome before the caller gets a 503, in ms. */
  answerTimeoutMs: number;
}

export class Cluster {
  readonly queue: SubmissionQueue;
  private leading = false;
  private readonly tryLock;
  private readonly holdsLock;
  private readonly unlockAll;
  private readonly takeInstance;
  private readonly instanceHeld;
  private leaseTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<number>();
  private stopped = false;
  /** Lease changes seen, for /metrics and tests. */
  readonly stats = { takeovers: 0, stepDowns: 0 };

  constructor(
    db: Db,
    private readonly entries: EntryStore,
    private readonly hooks: ClusterHooks,
    private readonly opts: ClusterOptions,
  ) {
    this.queue = new SubmissionQueue(db);
    this.tryLock = db.prepare<[number], { ok: boolean }>('SELECT pg_try_advisory_lock(?) AS ok');
    this.unlockAll = db.prepare('SELECT pg_advisory_unlock_all()');
    this.takeInstance = db.prepare<[number, number], { ok: boolean }>('SELECT pg_try_advisory_lock(?, ?) AS ok');
    // Held by any session of this database (`mine` = 1 for this node's own session).
    this.instanceHeld = db.prepare<[number, number], { n: number; mine: number }>(
      "SELECT count(*) AS n, count(*) FILTER (WHERE pid = pg_backend_pid()) AS mine FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = ? AND objid = ? AND objsubid = 2 AND granted",
    );
    this.holdsLock = db.prepare<[number], { n: number }>(
      "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = ? AND objsubid = 1 AND pid = pg_backend_pid() AND granted",
    );
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries for the lease once now, then keeps trying (or holding) in the background. */
  async start(): Promise<void> {
    await this.tick();
    this.leaseTimer = setInterval(() => void this.tick(), this.opts.leasePollMs);
    this.pollTimer = setInterval(() => this.poll(), this.opts.pollMs);
    this.followTimer = setInterval(() => this.follow(), this.opts.followMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.leaseTimer);
    clearInterval(this.pollTimer);
    clearInterval(this.followTimer);
  }

  /**
   * Marks a serving process as alive for as long as this node's database session lasts
   * (a session-level advisory lock on (class, instance)); taken again if the session was
   * replaced or the lock dropped. The holds of its inference calls are released only when
   * no session holds it (see node/reservations.ts).
   */
  keepInstanceAlive(instance: number): void {
    const held = this.instanceHeld.get(INSTANCE_CLASS, instance)!;
    if (Number(held.mine) === 0) this.takeInstance.get(INSTANCE_CLASS, instance);
  }

  /** Does some node's session still mark this serving process as alive? */
  instanceAlive(instance: number): boolean {
    return Number(this.instanceHeld.get(INSTANCE_CLASS, instance)!.n) > 0;
  }

  /** Run first in every batch's transaction: refuses unless this connection still holds the lock. */
  fence(): void {
    if (this.leading && this.holdsLock.get(LEASE_KEY)!.n > 0) return;
    if (this.leading) this.stepDown();
    throw new SequencerUnavailable('this node no longer holds the sequencer lease (another node took over); send the request again');
  }

  /** A node without the lease: queue the submission and wait for whichever node sequences it. */
  async forward(kind: SubmissionKind, body: unknown): Promise<Extract<Outcome, { ok: true }>> {
    const id = this.queue.enqueue(kind, JSON.stringify(body), Date.now());
    const end = Date.now() + this.opts.answerTimeoutMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
      // Queued is as good as sent: if the database goes away now, the submission may still be
      // sequenced, so keep asking until the deadline rather than answer that nothing happened.
      let text: string | undefined;
      try {
        text = this.queue.outcome(id);
      } catch (e) {
        if (!(e instanceof DatabaseUnavailable)) throw e;
      }
      if (text !== undefined) {
        const o = JSON.parse(text) as Outcome;
        if (!o.ok) throw refusalError(o);
        this.catchUp();
        return o;
      }
      if (Date.now() > end)
        throw new SequencerUnavailable(
          `no sequencer answered within ${this.opts.answerTimeoutMs / 1000} s; the submission stays queued as ${id} and may still be sequenced (a resent signed action is refused as a replay if it was)`,
        );
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Reads the entries other nodes appended since this node last looked. */
  catchUp(): void {
    if (this.leading) return;
    const target = this.entries.latestCheckpoint()?.size ?? 0;
    const from = this.hooks.size();
    if (target <= from) return;
    const actions: ActionMessage[] = [];
    for (let at = from; at < target; ) {
      const page = this.entries.range(at, Math.min(1000, target - at));
      if (page.length === 0) break;
      for (const e of page) actions.push(decodeEntry(e.data).action);
      at += page.length;
    }
    this.hooks.grew(target, actions);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.leading) {
      // Between batches too: a node whose connection was replaced lost the lock with it, and
      // must stop the work only the sequencer does (epoch timer, chain worker) at once.
      try {
        if (this.holdsLock.get(LEASE_KEY)!.n === 0) this.stepDown();
      } catch {
        // The database is unreachable: the next batch's fence, or the next tick, decides.
      }
      return;
    }
    let got = false;
    try {
      got = this.tryLock.get(LEASE_KEY)!.ok;
    } catch {
      return; // the database is unreachable: try again next tick
    }
    if (!got) return;
    this.leading = true;
    this.stats.takeovers++;
    try {
      await this.hooks.lead();
    } catch {
      // Could not take over (the database went away again, most likely, and the lock with its
      // session): drop the role, and the lock if the session still holds it, so that any node,
      // this one included, can try again.
      this.stepDown();
      try {
        this.unlockAll.get();
      } catch {
        // The session is gone, and its lock with it.
      }
    }
  }

  private stepDown(): void {
    if (!this.leading) return;
    this.leading = false;
    this.stats.stepDowns++;
    this.hooks.follow();
  }

  private follow(): void {
    if (this.stopped || this.leading) return;
    try {
      this.catchUp();
    } catch {
      // The database is unreachable; the next tick tries again.
    }
  }

  private poll(): void {
    if (this.stopped || !this.leading) return;
    try {
      const now = Date.now();
      for (const row of this.queue.claim(now, RECLAIM_MS, 512)) {
        if (this.inFlight.has(row.id)) continue;
        this.inFlight.add(row.id);
        void this.hooks
          .sequence(row)
          .catch((e) => {
            // Refused before sequencing (signature, content, state): record why. A refusal in
            // the batch was recorded with it; when the database or the lease went away, the
            // row stays open to be claimed again.
            if (e instanceof AlreadySequenced || e instanceof SequencerUnavailable || e instanceof DatabaseUnavailable) return;
            this.queue.complete(row.id, JSON.stringify(refusalOutcome(e)));
          })
          .catch(() => {})
          .finally(() => this.inFlight.delete(row.id));
      }
      if (now % 60_000 < this.opts.pollMs) this.queue.prune(now);
    } catch {
      // The database is unreachable; the next poll tries again.
    }
  }
}
