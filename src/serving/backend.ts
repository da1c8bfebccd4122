// What the node asks of an inference backend, whichever it is: the embedded llama.cpp
// (embedded.ts) or a remote OpenAI-compatible server (remote.ts). A backend only
// generates text; attribution, charging and logging stay in the node.

/** One model as a backend sees it: the node's model id and the files that make it. */
export interface BackendModel {
  /** name@version, as the node lists it (a remote backend chooses its adapter by this name). */
  id: string;
  basePath: string;
  /** The adapter's file, or undefined for the base model alone. */
  adapterPath?: string;
}

export interface CompletionRequest {
  model: BackendModel;
  prompt: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  /** Token id → a bias added to its logit, -100 to 100 (OpenAI's logit_bias). */
  logitBias?: Readonly<Record<number, number>>;
  /** Aborting stops the generation; what was generated so far is returned. */
  signal?: AbortSignal;
  /** Each piece of text as it is generated (for streaming). */
  onText?(text: string): void;
}

export interface CompletionResult {
  text: string;
  completionTokens: number;
  finishReason: 'stop' | 'length' | 'abort';
  /** False when the request was aborted while it still waited its turn: nothing was computed. */
  started: boolean;
}

export interface InferenceBackend {
  /** Tokens per sequence: prompt plus completion must fit. */
  readonly contextSize: number;
  /** Tokens of `text` under the base model's own tokenizer (the count the node charges). */
  countTokens(basePath: string, text: string): Promise<number>;
  complete(r: CompletionRequest): Promise<CompletionResult>;
  close(): Promise<void>;
}

/** The backend could not answer for a reason of its own (not the client's). */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    /** 503 when the backend is busy or unreachable, 502 when it answered wrongly. */
    readonly status: 502 | 503,
  ) {
    super(message);
  }
}
