// Where index builds run: on a worker thread (the default for a node) or in-line (for
// tests and tools). Both run the same build step.
import { Worker } from 'node:worker_threads';
import { type BuildJob, type BuildResult, type Progress, runBuildJob } from './build.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';

export interface ShardBuilder {
  build(job: BuildJob, onProgress?: Progress): Promise<BuildResult>;
  close(): Promise<void>;
}

export class InlineBuilder implements ShardBuilder {
  constructor(private readonly tokenizer: Tokenizer) {}
  async build(job: BuildJob, onProgress?: Progress): Promise<BuildResult> {
    return runBuildJob(job, this.tokenizer, onProgress);
  }
  async close(): Promise<void> {}
}

/** A build that failed on the worker thread, with the system error code (ENOSPC…) when there was one. */
export class IndexBuildError extends Error {
  override readonly name = 'IndexBuildError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** One worker, started on first use, builds one job at a time; the index serialises its builds anyway. */
export class WorkerBuilder implements ShardBuilder {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(r: BuildResult): void; reject(e: Error): void; onProgress?: Progress }>();

  build(job: BuildJob, onProgress?: Progress): Promise<BuildResult> {
    const w = this.start();
    const id = this.nextId++;
    w.ref();
    return new Promise<BuildResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, onProgress });
      w.postMessage({ id, job });
    }).finally(() => {
      if (this.waiting.size === 0) w.unref();
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./buildWorker.boot.mjs', import.meta.url));
    w.on('message', (m: { id: number; progress?: { phase: Parameters<Progress>[0]; done: number; total: number }; result?: BuildResult; error?: string; code?: string }) => {
      const p = this.waiting.get(m.id);
      if (!p) return;
      if (m.progress) p.onProgress?.(m.progress.phase, m.progress.done, m.progress.total);
      else {
        this.waiting.delete(m.id);
        if (m.error !== undefined) p.reject(new IndexBuildError(`index build failed: ${m.error}`, m.code));
        else p.resolve(m.result!);
      }
    });
    w.on('error', (e) => {
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
      this.worker = undefined;
    });
    w.unref();
    this.worker = w;
    return w;
  }
}
