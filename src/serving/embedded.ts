// The embedded inference backend: node-llama-cpp in this process. One loaded model per
// base file; one context per (base, adapter) pair, kept in a small LRU; requests on one
// context run one at a time (a context has one sequence here), so requests for different
// adapters run side by side in the fair order they arrived. Thread counts are explicit:
// llama.cpp's default is far too slow on small machines. It must only ever be given files
// the node validated (the model store holds nothing else), because a bad GGUF aborts the
// whole process.
import { getLlama, type Llama, LlamaCompletion, type LlamaContext, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';

export interface CompletionRequest {
  basePath: string;
  /** The adapter's file, or undefined for the base model alone. */
  adapterPath?: string;
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Aborting stops the generation; what was generated so far is returned. */
  signal?: AbortSignal;
  /** Each piece of text as it is generated (for streaming). */
  onText?(text: string): void;
}

export interface CompletionResult {
  text: string;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'abort';
}

export interface EmbeddedOptions {
  threads: number;
  /** Contexts kept loaded (each holds its adapter and a KV cache). */
  maxContexts: number;
  contextSize: number;
}

interface Slot {
  context: LlamaContext;
  /** Requests on this context, one after another. */
  queue: Promise<unknown>;
}

export class EmbeddedBackend {
  private llama?: Promise<Llama>;
  private readonly models = new Map<string, Promise<LlamaModel>>();
  private readonly slots = new Map<string, Promise<Slot>>();

  constructor(private readonly o: EmbeddedOptions) {}

  get contextSize(): number {
    return this.o.contextSize;
  }

  async complete(r: CompletionRequest): Promise<CompletionResult> {
    const slot = await this.slot(r.basePath, r.adapterPath);
    const run = slot.queue.then(() => this.generate(slot.context, r));
    slot.queue = run.catch(() => undefined);
    return run;
  }

  /** Tokens of `text` under the base model's own tokenizer. */
  async countTokens(basePath: string, text: string): Promise<number> {
    return (await this.model(basePath)).tokenize(text).length;
  }

  async close(): Promise<void> {
    for (const s of this.slots.values()) await (await s).context.dispose();
    for (const m of this.models.values()) await (await m).dispose();
    this.slots.clear();
    this.models.clear();
  }

  private async generate(context: LlamaContext, r: CompletionRequest): Promise<CompletionResult> {
    const sequence = context.getSequence();
    try {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      let completionTokens = 0;
      const res = await completion.generateCompletionWithMeta(r.prompt, {
        maxTokens: r.maxTokens,
        temperature: r.temperature,
        ...(r.seed === undefined ? {} : { seed: r.seed }),
        signal: r.signal,
        stopOnAbortSignal: true,
        onToken: (tokens: Token[]) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (text: string) => r.onText?.(text),
      });
      const stop = res.metadata.stopReason;
      return { text: res.response, completionTokens, finishReason: stop === 'maxTokens' ? 'length' : stop === 'abort' ? 'abort' : 'stop' };
    } finally {
      sequence.dispose();
    }
  }

  private model(basePath: string): Promise<LlamaModel> {
    let m = this.models.get(basePath);
    if (!m) {
      this.llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: this.o.threads });
      m = this.llama.then((l) => l.loadModel({ modelPath: basePath, gpuLayers: 0 }));
      this.models.set(basePath, m);
      m.catch(() => this.models.delete(basePath));
    }
    return m;
  }

  private slot(basePath: string, adapterPath: string | undefined): Promise<Slot> {
    const key = `${basePath}\n${adapterPath ?? ''}`;
    let s = this.slots.get(key);
    if (s) {
      // Most recently used last.
      this.slots.delete(key);
      this.slots.set(key, s);
      return s;
    }
    s = this.model(basePath).then(async (model) => ({
      context: await model.createContext({
        contextSize: this.o.contextSize,
        threads: this.o.threads,
        ...(adapterPath ? { lora: { adapters: [{ filePath: adapterPath, scale: 1 }] } } : {}),
      }),
      queue: Promise.resolve(),
    }));
    this.slots.set(key, s);
    s.catch(() => this.slots.delete(key));
    while (this.slots.size > this.o.maxContexts) {
      const [oldest, victim] = this.slots.entries().next().value as [string, Promise<Slot>];
      this.slots.delete(oldest);
      // Adapters stay cached by llama.cpp until their model is disposed; the context's memory goes now.
      void victim.then(async (v) => {
        await v.queue;
        await v.context.dispose();
      });
    }
    return s;
  }
}
