// What the node tells observers (metrics, logs) as it happens: batches committed, actions
// refused, calls served, chain posts and failures. Listeners only watch: one that throws
// is reported on stderr and never reaches the code that emitted, so an observer can never
// fail a commit or a chain pass.
import type { JsonValue } from '../protocol/state.ts';

/** One sequencer batch that committed. */
export interface BatchReport {
  /** Entries appended, in log order. */
  accepted: Array<{ index: number; type: string; result: { [k: string]: JsonValue } }>;
  /** Submissions `apply` refused in this batch (each also reported as `rejected` by its submitter). */
  refused: number;
  /** Milliseconds the batch's transaction took, checkpoint signature included. */
  ms: number;
}

export type ChainPost =
  | { what: 'root'; epoch: number; tx: string; block: string }
  | { what: 'anchor'; treeSize: number; tx: string; block: string }
  | { what: 'funding'; amount: string; tx: string; block: string }
  | { what: 'deposit'; account: string; amount: string; source: string };

export interface NodeEventMap {
  batch: BatchReport;
  /** A batch's transaction rolled back (disk full, I/O error): every submission in it failed. */
  commitFailed: { message: string; submissions: number };
  /** An action refused before or while sequencing; `type` is as submitted (possibly unknown). */
  rejected: { type: string; status: number; code: string };
  /** A served completion, settled. */
  served: { model: string; generationMs: number; overheadMs: number };
  chainPosted: ChainPost;
  /** A chain worker pass failed; it retries with backoff. */
  chainFailed: { failures: number; message: string; nextAttemptAt: string };
}

type Listener<K extends keyof NodeEventMap> = (e: NodeEventMap[K]) => void;

export class NodeEvents {
  private readonly listeners = new Map<keyof NodeEventMap, Set<Listener<never>>>();

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof NodeEventMap>(event: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => void set.delete(fn as Listener<never>);
  }

  emit<K extends keyof NodeEventMap>(event: K, e: NodeEventMap[K]): void {
    const set = this.listeners.get(event) as Set<Listener<K>> | undefined;
    if (!set) return;
    for (const fn of set) {
      try {
        fn(e);
      } catch (err) {
        console.error(`a listener of the node's ${event} event threw:`, err);
      }
    }
  }
}
