// The holds of the inference calls this serving process runs. Before generating, a call
// reserves the most it may cost (ReserveInference, sequenced like every money move, so a
// cluster node's hold binds as firmly as the sequencer's own and concurrent calls can
// never promise more than the balance). The call then settles from its hold, or releases
// it when it charged nothing. Holds nobody will settle are swept: this process's own whose
// call ended without settling, those of a process that is gone (on one SQLite node: any
// other process, since only one serves at a time, so a restart releases them; in a
// cluster: a process whose database session no longer holds its liveness lock), and any
// past its expiry. Never releases the hold of a call still running in a live process.
import { randomInt } from 'node:crypto';
import { ActionRejected } from '../protocol/errors.ts';
import { reservationRefused } from '../settlement/actions/reserveInference.ts';
import { type HoldRecord, moneyKeys } from '../settlement/records.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import type { StateReader } from '../protocol/state.ts';
import type { Cluster } from './cluster.ts';
import type { NodeConfig } from './config.ts';
import type { Receipt } from './receipt.ts';

/** How often holds nobody will settle are looked for, in ms. */
const SWEEP_MS = 5_000;
/**
 * How long a cluster instance's liveness lock must be missing before its holds go: a live
 * node whose database session was replaced takes its lock again at its next sweep.
 */
const DEAD_FOR_MS = 2 * SWEEP_MS;
/** Time, beyond the request and queue timeouts, for attribution and the settle to be sequenced. */
const SETTLE_GRACE_MS = 60_000;

export interface Reservation {
  /** The log index of the ReserveInference entry. */
  index: number;
  holder: string;
}

export interface ReserveInput {
  model: string;
  requester: string;
  inputTokens: number;
  maxTokens: number;
}

/** What the holds need of their node: reads, the submit function, the cluster (if any), its timeouts. */
export interface ReservationDeps {
  state: StateReader;
  config: Pick<NodeConfig, 'requestTimeoutMs' | 'cluster'>;
  /** The cluster this node belongs to, if it runs on PostgreSQL with others. */
  cluster(): Pick<Cluster, 'keepInstanceAlive' | 'instanceAlive'> | undefined;
  /** Whether this node sequences now (always on SQLite; the lease holder in a cluster). */
  sequencing(): boolean;
  submitNodeAction(action: Omit<ActionMessage, 'nonce'>): Promise<Receipt>;
}

export class Reservations {
  /** This process, as a 31-bit number (an advisory lock key on PostgreSQL) in hex. */
  readonly instance = randomInt(1, 2 ** 31);
  private calls = 0;
  /** This process's calls that may still settle: holder → until when (ms), Infinity while running. */
  private readonly live = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  /** Sweeps run one after another: the one in flight, or a settled promise. */
  private sweeping: Promise<void> = Promise.resolve();
  /** A cluster node's liveness lock was taken (sweeps take it again if it was lost). */
  private marked = false;
  /** Cluster instances seen without their liveness lock: instance → since when (ms). */
  private readonly missing = new Map<number, number>();
  /** Holds released by sweeps, for tests and metrics. */
  swept = 0;

  constructor(private readonly d: ReservationDeps) {}

  /** How long a hold lasts before any sequencing node may release it. */
  get ttlMs(): number {
    return this.d.config.requestTimeoutMs + this.d.config.cluster.answerTimeoutMs + SETTLE_GRACE_MS;
  }

  /** Holds the most the call may cost; refused with a 402 naming the balance and the amount. */
  async reserve(x: ReserveInput): Promise<Reservation> {
    // In a cluster, mark this process alive before its first hold, so no sweep takes it for dead.
    const cluster = this.d.cluster();
    if (!this.marked && cluster) {
      cluster.keepInstanceAlive(this.instance);
      this.marked = true;
    }
    const holder = `${this.instance.toString(16)}/${++this.calls}`;
    this.live.set(holder, Infinity);
    try {
      const r = await this.d.submitNodeAction({ type: 'ReserveInference', ...x, holder, ttlMs: this.ttlMs });
      return { index: r.index, holder };
    } catch (e) {
      this.live.delete(holder);
      if (e instanceof ActionRejected && e.status === 402 && e.details)
        throw reservationRefused('authorization', x.requester, BigInt(e.details.balance as string), BigInt(e.details.fee as string), x.inputTokens, x.maxTokens);
      throw e;
    }
  }

  /** The call's InferenceRecord was sequenced: it paid from the hold and released the rest. */
  settled(r: Reservation): void {
    this.live.delete(r.holder);
  }

  /** The call charged nothing: all of the hold goes back. A hold that cannot be released now is swept later. */
  async release(r: Reservation): Promise<void> {
    this.live.delete(r.holder);
    await this.releaseHold(r.index);
  }

  /** The call's settle may still be sequenced (it was queued, and no answer came): keep the hold until it expires. */
  unsure(r: Reservation): void {
    this.live.set(r.holder, Date.now() + this.ttlMs);
  }

  start(): void {
    // A sweep still running when the next is due: skip this turn rather than queue up.
    let busy = false;
    this.timer ??= setInterval(() => {
      if (busy) return;
      busy = true;
      void this.sweep().finally(() => (busy = false));
    }, SWEEP_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Releases every hold nobody will settle (see the top of this file). Run at start, then every few seconds. */
  sweep(): Promise<void> {
    this.sweeping = this.sweeping.then(() => this.sweepOnce());
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    try {
      const cluster = this.d.cluster();
      cluster?.keepInstanceAlive(this.instance);
      const now = Date.now();
      for (const [holder, until] of this.live) if (until < now) this.live.delete(holder);
      const mine = `${this.instance.toString(16)}/`;
      const holds = this.d.state.list<HoldRecord>(moneyKeys.holdPrefix);
      // Forget instances that hold nothing any more.
      const holders = new Set(holds.map(([, h]) => parseInt(h.holder.split('/')[0], 16) || 0));
      for (const instance of this.missing.keys()) if (!holders.has(instance)) this.missing.delete(instance);
      for (const [, hold] of holds) {
        let gone: boolean;
        if (hold.holder.startsWith(mine)) gone = !this.live.has(hold.holder);
        else if (!this.d.sequencing()) continue;
        else if (!cluster) gone = true;
        else gone = now > hold.expires || this.deadFor(parseInt(hold.holder.split('/')[0], 16) || 0, now) >= DEAD_FOR_MS;
        if (gone && (await this.releaseHold(hold.reservation))) this.swept++;
      }
    } catch {
      // The database is away: the next sweep tries again.
    }
  }

  /** How long a cluster instance has been seen without its liveness lock (0: it holds it). */
  private deadFor(instance: number, now: number): number {
    if (this.d.cluster()!.instanceAlive(instance)) {
      this.missing.delete(instance);
      return 0;
    }
    const since = this.missing.get(instance) ?? now;
    this.missing.set(instance, since);
    return now - since;
  }

  /** True when this released it; false when it was gone already or the release could not be sequenced now. */
  private async releaseHold(index: number): Promise<boolean> {
    try {
      await this.d.submitNodeAction({ type: 'ReleaseReservation', reservation: index });
      return true;
    } catch {
      // Settled or released meanwhile (409), or the database is away: a later sweep looks again.
      return false;
    }
  }
}
