// Signature checks on worker threads. The sequencer is one thread by design, and
// secp256k1 recovery is the largest per-request cost, so it moves to the other cores.
// Requests arriving in the same tick travel to a worker as one message, which keeps
// the messaging cost per signature small. Without workers it checks in-line.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProtocolParams } from '../protocol/action.ts';
import type { ActionMessage, EntryAuth } from '../protocol/entry.ts';
import { ActionRejected } from '../protocol/errors.ts';
import type { Protocol } from '../protocol/protocol.ts';
import type { AuthRequest, AuthResult } from './authWorker.ts';

interface Waiting {
  req: AuthRequest;
  resolve(signer: string): void;
  reject(e: unknown): void;
}

/** Workers to start by default: every core but the one the sequencer runs on, at least one. */
export function defaultAuthWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

export class AuthPool {
  private readonly workers: Array<{ worker: Worker; inFlight: number }> = [];
  private readonly pending = new Map<number, { batch: Waiting[]; worker: Worker }>();
  private queue: Waiting[] = [];
  private scheduled = false;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly protocol: Protocol,
    private readonly params: ProtocolParams,
    workers: number,
  ) {
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(new URL('./authWorker.boot.mjs', import.meta.url), { workerData: params });
      worker.on('message', (m: { id: number; results: AuthResult[] }) => this.settle(m.id, m.results, slot));
      worker.on('error', (e) => this.fail(slot, e));
      // An idle worker must not keep the process alive; a busy one must (see flush/settle).
      worker.unref();
      const slot = { worker, inFlight: 0 };
      this.workers.push(slot);
    }
  }

  /** Resolves with the signer's address, or rejects with the same ActionRejected as in-line checking. */
  authenticate(action: ActionMessage, auth: EntryAuth): Promise<string> {
    if (this.workers.length === 0 || this.closed) {
      try {
        return Promise.resolve(this.protocol.authenticate(this.params, action, auth));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { action, auth }, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.all(this.workers.map((w) => w.worker.terminate())).then(() => undefined);
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.queue;
    this.queue = [];
    // Split the tick's requests over the workers, least busy first.
    const share = Math.ceil(all.length / this.workers.length);
    for (let i = 0; i < all.length; i += share) {
      const batch = all.slice(i, i + share);
      const slot = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const id = this.nextId++;
      this.pending.set(id, { batch, worker: slot.worker });
      if (slot.inFlight === 0) slot.worker.ref();
      slot.inFlight += batch.length;
      slot.worker.postMessage({ id, batch: batch.map((w) => w.req) });
    }
  }

  private settle(id: number, results: AuthResult[], slot: { worker: Worker; inFlight: number }): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    const batch = p.batch;
    slot.inFlight -= batch.length;
    if (slot.inFlight === 0) slot.worker.unref();
    batch.forEach((w, i) => {
      const r = results[i];
      if (r.ok) w.resolve(r.signer);
      else if (r.rejected) w.reject(new ActionRejected(r.rejected.status, r.rejected.code, r.rejected.field, r.rejected.message));
      else w.reject(new Error(`signature worker: ${r.error}`));
    });
  }

  private fail(slot: { worker: Worker }, e: Error): void {
    // A crashed worker fails what it held; later requests go to the others or in-line.
    const i = this.workers.findIndex((w) => w.worker === slot.worker);
    if (i >= 0) this.workers.splice(i, 1);
    for (const [id, p] of this.pending) {
      if (p.worker !== slot.worker) continue;
      this.pending.delete(id);
      for (const w of p.batch) w.reject(new Error(`signature worker failed: ${e.message}`));
    }
  }
}
