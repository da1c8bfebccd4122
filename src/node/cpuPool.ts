// CPU worker threads for the heavy steps of requests (cpuTasks.ts: tokenizing, attribution
// matching, contribution checks), so that no request stalls the node's event loop: its
// HTTP answers, the sequencer, /healthz. Every task has a time budget: a task still
// running when it is spent is stopped (its thread is ended and replaced) and its request
// answered 503, so that one request costs at most that much CPU. Waiting tasks are
// bounded too. With no workers (tests, tools) tasks run in-line, on the caller's thread.
// It never runs a task on the event loop when it has workers, and never lets a task run
// past its budget.
import { Worker } from 'node:worker_threads';
import { ActionRejected } from '../protocol/errors.ts';
import { type CpuTaskName, type CpuTasks, cpuTasks } from './cpuTasks.ts';
import type { CpuReply } from './cpuWorker.ts';

/** Most tasks that may wait for a thread; beyond it a request is answered 503 at once. */
export const MAX_WAITING_TASKS = 256;

type Input<K extends CpuTaskName> = Parameters<CpuTasks[K]>[0];
type Output<K extends CpuTaskName> = Awaited<ReturnType<CpuTasks[K]>>;

interface Job {
  task: CpuTaskName;
  input: unknown;
  /** What the task is for, in the words of the request ("attributing a text of 100000 characters"). */
  what: string;
  /** The most this task may run, in ms: the pool's budget unless the caller set its own. */
  budgetMs: number;
  resolve(result: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job & { id: number; timer: NodeJS.Timeout };
}

export class CpuPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Tasks started since the pool was made, in-line ones included. */
  private started = 0;

  /**
   * `workers` threads, started at once (a thread takes seconds to load its code and the
   * vocabulary on a busy machine: the first requests should not wait for that);
   * `budgetMs` the longest one task may run. The budget counts from the moment a ready
   * thread takes the task, so time spent waiting for a thread is not charged to it.
   */
  constructor(
    private readonly workers: number,
    readonly budgetMs: number,
  ) {
    this.start();
  }

  /**
   * Runs a task on a worker thread (in-line without workers); a 503 when it overruns its
   * budget or too many wait. `budgetMs` replaces the pool's budget for a task that is not a
   * request's step but the node's own, bounded otherwise (re-measuring a training result).
   */
  run<K extends CpuTaskName>(task: K, input: Input<K>, what: string, budgetMs = this.budgetMs): Promise<Output<K>> {
    if (this.workers === 0) {
      this.started++;
      try {
        return Promise.resolve((cpuTasks[task] as (i: Input<K>) => Output<K> | Promise<Output<K>>)(input));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    if (this.closed) return Promise.reject(new ActionRejected(503, 'unavailable', undefined, `${what}: the node is shutting down`));
    if (this.waiting.length >= MAX_WAITING_TASKS)
      return Promise.reject(
        new ActionRejected(503, 'busy', undefined, `${what}: this node's CPU workers are busy (${this.waiting.length} tasks waiting); try again shortly`),
      );
    return new Promise<Output<K>>((resolve, reject) => {
      this.waiting.push({ task, input, what, budgetMs, resolve: resolve as (r: unknown) => void, reject });
      this.start();
      this.dispatch();
    });
  }

  /** Tasks waiting for a thread, running, and started in all, for metrics and tests. */
  get stats(): { waiting: number; running: number; started: number } {
    return { waiting: this.waiting.length, running: this.slots.filter((s) => s.job).length, started: this.started };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) j.reject(new ActionRejected(503, 'unavailable', undefined, `${j.what}: the node is shutting down`));
    await Promise.all([...this.slots].map((s) => this.end(s, 'the node is shutting down')));
  }

  /** Starts threads up to the number asked for (at first, and after one was ended). */
  private start(): void {
    while (this.slots.length < this.workers) {
      const worker = new Worker(new URL('./cpuWorker.boot.mjs', import.meta.url));
      const slot: Slot = { worker, ready: false };
      worker.on('message', (m: CpuReply | { ready: true }) => {
        if ('ready' in m) {
          slot.ready = true;
          this.dispatch();
          if (!slot.job) worker.unref();
        } else this.settle(slot, m);
      });
      worker.on('error', (e) => void this.end(slot, `its thread failed: ${e.message}`));
      worker.on('exit', () => void this.end(slot, 'its thread exited'));
      // An idle thread must not keep the process alive; a busy one must (see dispatch/settle),
      // and so must one still loading: a task may be waiting for it, and with nothing else
      // alive yet (a node seeding its demo before it listens) the process would just exit.
      this.slots.push(slot);
    }
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.waiting.length === 0) return;
      if (!slot.ready || slot.job) continue;
      const job = this.waiting.shift()!;
      const id = this.nextId++;
      const timer = setTimeout(
        () =>
          void this.end(
            slot,
            job.budgetMs === this.budgetMs
              ? `${job.what} needed more than ${this.budgetMs} ms of CPU, the most one request may take on this node (TRIBUTARY_CPU_BUDGET_MS): send less, or try again when the node is less busy`
              : `${job.what} needed more than the ${job.budgetMs} ms this node allows it`,
            'cpu_budget',
          ),
        job.budgetMs,
      );
      slot.job = { ...job, id, timer };
      this.started++;
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id, task: job.task, input: job.input });
      } catch (e) {
        // An input that cannot be cloned is a bug of ours, not the client's: fail the task, keep the thread.
        clearTimeout(timer);
        slot.job = undefined;
        slot.worker.unref();
        job.reject(e);
      }
    }
  }

  private settle(slot: Slot, m: CpuReply): void {
    const job = slot.job;
    if (!job || job.id !== m.id) return;
    clearTimeout(job.timer);
    slot.job = undefined;
    slot.worker.unref();
    if (m.ok) job.resolve(m.result);
    else if (m.rejected) job.reject(new ActionRejected(m.rejected.status, m.rejected.code, m.rejected.field, m.rejected.message, m.rejected.details));
    else job.reject(new Error(`CPU worker, ${job.what}: ${m.error}`));
    this.dispatch();
  }

  /**
   * Ends a thread: the only way to stop a task that overran its budget, since JavaScript
   * cannot be interrupted from outside. Its task (if any) is answered 503 with `why`, and a
   * fresh thread takes its place unless the pool is closing.
   */
  private async end(slot: Slot, why: string, code = 'unavailable'): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job) {
      clearTimeout(job.timer);
      job.reject(new ActionRejected(503, code, undefined, code === 'cpu_budget' ? why : `${job.what}: ${why}`));
    }
    await slot.worker.terminate();
    if (!this.closed && this.waiting.length > 0) {
      this.start();
      this.dispatch();
    }
  }
}
