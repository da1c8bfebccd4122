// A remote inference backend: any OpenAI-compatible server (vLLM with --enable-lora,
// LoRAX, llama-server, or another Tributary node), configured by base URL and key. The
// adapter is chosen by model name: the node's model id, or the name it is mapped to.
// Only generation happens there. The node still counts the prompt with the base model's
// own tokenizer (so the charge never depends on what the remote says about the prompt),
// and bills at most max_tokens of output whatever the remote reports.
import { getLlama, type Llama, LlamaLogLevel } from 'node-llama-cpp';
import { BackendError, type CompletionRequest, type CompletionResult, type InferenceBackend } from './backend.ts';
import { Tokenizers } from './tokenizers.ts';

export interface RemoteOptions {
  /** The server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1. */
  baseUrl: string;
  apiKey?: string;
  /** Model id → the name the remote serves it under; ids not listed are sent as they are. */
  names: Record<string, string>;
  contextSize: number;
}

interface Chunk {
  choices?: Array<{ text?: string; finish_reason?: string | null }>;
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string };
}

export class RemoteBackend implements InferenceBackend {
  private llama?: Promise<Llama>;
  private readonly tokenizers = new Tokenizers(() => (this.llama ??= getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 1 })));

  constructor(private readonly o: RemoteOptions) {}

  get contextSize(): number {
    return this.o.contextSize;
  }

  countTokens(basePath: string, text: string): Promise<number> {
    return this.tokenizers.count(basePath, text);
  }

  async complete(r: CompletionRequest): Promise<CompletionResult> {
    if (r.signal?.aborted) return { text: '', completionTokens: 0, finishReason: 'abort', started: false };
    const name = this.o.names[r.model.id] ?? r.model.id;
    let res: Response;
    try {
      res = await fetch(`${this.o.baseUrl.replace(/\/+$/, '')}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}) },
        body: JSON.stringify({
          model: name,
          prompt: r.prompt,
          max_tokens: r.maxTokens,
          temperature: r.temperature,
          ...(r.seed === undefined ? {} : { seed: r.seed }),
          ...(r.logitBias ? { logit_bias: r.logitBias } : {}),
          stream: true,
          stream_options: { include_usage: true },
        }),
        signal: r.signal,
      });
    } catch (e) {
      if (r.signal?.aborted) return { text: '', completionTokens: 0, finishReason: 'abort', started: false };
      throw new BackendError(`the inference backend at ${this.o.baseUrl} cannot be reached: ${(e as Error).message}`, 503);
    }
    if (!res.ok || !res.body) {
      const detail = await res.text().catch(() => '');
      const message = (() => {
        try {
          return (JSON.parse(detail) as Chunk).error?.message ?? detail;
        } catch {
          return detail;
        }
      })();
      throw new BackendError(`the inference backend answered ${res.status} for model ${name}: ${message.slice(0, 500)}`, res.status === 429 || res.status >= 500 ? 503 : 502);
    }
    let text = '';
    let reported: number | undefined;
    let finish: string | null | undefined;
    try {
      for await (const data of sseData(res.body)) {
        if (data === '[DONE]') break;
        const chunk = JSON.parse(data) as Chunk;
        if (chunk.error) throw new BackendError(`the inference backend failed mid-stream: ${chunk.error.message ?? 'unknown error'}`, 502);
        const choice = chunk.choices?.[0];
        if (choice?.text) {
          text += choice.text;
          r.onText?.(choice.text);
        }
        if (choice?.finish_reason) finish = choice.finish_reason;
        if (chunk.usage?.completion_tokens !== undefined) reported = chunk.usage.completion_tokens;
      }
    } catch (e) {
      if (!r.signal?.aborted) throw e instanceof BackendError ? e : new BackendError(`the inference backend's stream broke: ${(e as Error).message}`, 502);
    }
    const aborted = r.signal?.aborted === true && finish === undefined;
    // Without a usage report (or when cut short) the node counts what it received itself.
    const counted = reported !== undefined && !aborted ? reported : await this.countTokens(r.model.basePath, text);
    return {
      text,
      completionTokens: Math.min(counted, r.maxTokens),
      finishReason: aborted ? 'abort' : finish === 'length' ? 'length' : 'stop',
      started: true,
    };
  }

  async close(): Promise<void> {
    await this.tokenizers.close();
  }
}

/** The `data:` payloads of a server-sent event stream. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, end).replace(/\r$/, '');
      buffered = buffered.slice(end + 1);
      if (line.startsWith('data:')) yield line.slice(5).trimStart();
    }
  }
}
