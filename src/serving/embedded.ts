// The embedded inference backend: node-llama-cpp in this process. Requests wait in a
// fair queue with one lane per (base, adapter); each turn takes up to `sequences`
// requests of one lane and runs them as sequences of that adapter's context, which
// llama.cpp evaluates together in one batch. At most `parallel` batches run at once
// (on a small machine one batch already uses every core). Residency (residency.ts)
// keeps the contexts within the memory budget. Thread counts are explicit: llama.cpp's
// default is far too slow on small machines. It must only ever be given files the node
// validated (the model store holds nothing else), because a bad GGUF aborts the process.
import { getLlama, type Llama, LlamaCompletion, type LlamaContext, LlamaLogLevel, type Token, TokenBias } from 'node-llama-cpp';
import type { CompletionRequest, CompletionResult, InferenceBackend } from './backend.ts';
import { FairQueue } from './fairQueue.ts';
import { laneOf, Residency, type ResidencyOptions } from './residency.ts';
import { Tokenizers } from './tokenizers.ts';

export interface EmbeddedOptions extends Omit<ResidencyOptions, 'recycleBytes'> {
  /** Batches generating at once (each on its own context). */
  parallel: number;
  /** Dead adapter memory that makes a model be recycled (default: a quarter of the budget). */
  recycleBytes?: number;
}

interface Job {
  r: CompletionRequest;
  taken: boolean;
  resolve(result: CompletionResult): void;
  reject(error: unknown): void;
}

const NOT_STARTED: CompletionResult = { text: '', completionTokens: 0, finishReason: 'abort', started: false };

export class EmbeddedBackend implements InferenceBackend {
  private llama?: Promise<Llama>;
  private readonly tokenizers = new Tokenizers(() => this.getLlama());
  readonly residency: Residency;
  private readonly queue = new FairQueue<Job>();
  private readonly running = new Set<string>();
  /** Per batch run: how many requests it held (for the bench and the tests). */
  readonly batchSizes: number[] = [];

  constructor(private readonly o: EmbeddedOptions) {
    this.residency = new Residency(() => this.getLlama(), { ...o, recycleBytes: o.recycleBytes ?? Math.floor(o.budgetBytes / 4) });
  }

  get contextSize(): number {
    return this.o.contextSize;
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }

  complete(r: CompletionRequest): Promise<CompletionResult> {
    if (r.signal?.aborted) return Promise.resolve(NOT_STARTED);
    return new Promise((resolve, reject) => {
      const lane = laneOf(r.model.basePath, r.model.adapterPath);
      const job: Job = { r, taken: false, resolve, reject };
      this.queue.push(lane, job);
      // A request abandoned while it waits leaves the queue at once: nothing was computed.
      r.signal?.addEventListener('abort', () => !job.taken && this.queue.remove(lane, job) && resolve(NOT_STARTED), { once: true });
      this.pump();
    });
  }

  countTokens(basePath: string, text: string): Promise<number> {
    return this.tokenizers.count(basePath, text);
  }

  async close(): Promise<void> {
    await this.residency.close();
    await this.tokenizers.close();
  }

  private getLlama(): Promise<Llama> {
    this.llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: this.o.threads });
    return this.llama;
  }

  private pump(): void {
    while (this.running.size < this.o.parallel) {
      const batch = this.queue.next(this.o.sequences, (lane) => this.running.has(lane));
      if (!batch) return;
      this.running.add(batch.lane);
      for (const j of batch.items) j.taken = true;
      void this.runBatch(batch.items).finally(() => {
        this.running.delete(batch.lane);
        this.pump();
      });
    }
  }

  private async runBatch(jobs: Job[]): Promise<void> {
    const { basePath, adapterPath } = jobs[0].r.model;
    let slot;
    try {
      slot = await this.residency.acquire(basePath, adapterPath);
    } catch (e) {
      for (const j of jobs) j.reject(e);
      return;
    }
    this.batchSizes.push(jobs.length);
    if (this.batchSizes.length > 10_000) this.batchSizes.shift();
    try {
      await Promise.all(jobs.map((j) => this.generate(slot.context, j.r).then(j.resolve, j.reject)));
    } finally {
      this.residency.release(slot);
    }
  }

  private async generate(context: LlamaContext, r: CompletionRequest): Promise<CompletionResult> {
    if (r.signal?.aborted) return NOT_STARTED;
    const sequence = context.getSequence();
    try {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      let completionTokens = 0;
      const res = await completion.generateCompletionWithMeta(r.prompt, {
        maxTokens: r.maxTokens,
        temperature: r.temperature,
        ...(r.seed === undefined ? {} : { seed: r.seed }),
        ...(r.logitBias ? { tokenBias: tokenBias(context, r.logitBias) } : {}),
        signal: r.signal,
        stopOnAbortSignal: true,
        onToken: (tokens: Token[]) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (text: string) => r.onText?.(text),
      });
      const stop = res.metadata.stopReason;
      return { text: res.response, completionTokens, finishReason: stop === 'maxTokens' ? 'length' : stop === 'abort' ? 'abort' : 'stop', started: true };
    } finally {
      sequence.dispose();
    }
  }
}

function tokenBias(context: LlamaContext, bias: Readonly<Record<number, number>>): TokenBias {
  const b = new TokenBias(context.model.tokenizer);
  for (const [token, logit] of Object.entries(bias)) b.set(Number(token) as Token, { logit });
  return b;
}
