// The shape of a llama-architecture model (what llama.cpp calls its hyper-parameters): sizes,
// head counts, RMSNorm epsilon and RoPE base, with validation that names the field at fault, and
// conversion to and from the GGUF metadata keys that llama.cpp reads (`llama.*`).
// It must never accept a configuration the forward pass or llama.cpp would compute differently
// from each other: features this implementation lacks (partial rotary dimensions, RoPE scaling,
// mixture of experts) are rejected when reading, never silently ignored.
import { GgufError } from '../../gguf/errors.ts';
import { optionalScalar, requireArray, requireScalar } from '../../gguf/metadata.ts';
import type { GgufValue } from '../../gguf/types.ts';

export interface LlamaConfig {
  /** Tokens in the vocabulary: rows of token_embd.weight and output.weight. */
  readonly vocabSize: number;
  /** Width of the residual stream (llama.embedding_length). */
  readonly dim: number;
  /** Transformer blocks (llama.block_count). */
  readonly layers: number;
  /** Query heads (llama.attention.head_count); dim / heads is the head size. */
  readonly heads: number;
  /** Key/value heads (llama.attention.head_count_kv): fewer than `heads` is grouped-query attention. */
  readonly kvHeads: number;
  /** Hidden width of the SwiGLU feed-forward (llama.feed_forward_length). */
  readonly ffnDim: number;
  /** Longest sequence the model is meant for (llama.context_length). */
  readonly contextLength: number;
  /** RMSNorm epsilon (llama.attention.layer_norm_rms_epsilon). */
  readonly rmsEps: number;
  /** RoPE frequency base (llama.rope.freq_base); llama.cpp's default is 10000. */
  readonly ropeTheta: number;
}

export class LlamaConfigError extends Error {
  override readonly name = 'LlamaConfigError';
}

/** llama.cpp's default RoPE base when llama.rope.freq_base is absent. */
export const DEFAULT_ROPE_THETA = 10000;

/** Returns the config unchanged when it is valid; throws LlamaConfigError naming the field otherwise. */
export function validateLlamaConfig(c: LlamaConfig): LlamaConfig {
  const ints: Array<keyof LlamaConfig> = ['vocabSize', 'dim', 'layers', 'heads', 'kvHeads', 'ffnDim', 'contextLength'];
  for (const k of ints) {
    const v = c[k];
    // u32 is what the GGUF keys hold; 2^31 keeps every product of two of them a safe integer too.
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) throw new LlamaConfigError(`${k} must be a positive integer, got ${String(v)}`);
  }
  if (c.dim % c.heads !== 0) throw new LlamaConfigError(`dim (${c.dim}) must be a multiple of heads (${c.heads})`);
  if (c.heads % c.kvHeads !== 0) throw new LlamaConfigError(`heads (${c.heads}) must be a multiple of kvHeads (${c.kvHeads})`);
  // RoPE rotates pairs of dimensions within a head.
  if ((c.dim / c.heads) % 2 !== 0) throw new LlamaConfigError(`the head size dim / heads (${c.dim / c.heads}) must be even for RoPE`);
  if (!(typeof c.rmsEps === 'number' && Number.isFinite(c.rmsEps) && c.rmsEps > 0)) throw new LlamaConfigError(`rmsEps must be a positive finite number, got ${String(c.rmsEps)}`);
  if (!(typeof c.ropeTheta === 'number' && Number.isFinite(c.ropeTheta) && c.ropeTheta > 1)) throw new LlamaConfigError(`ropeTheta must be a finite number above 1, got ${String(c.ropeTheta)}`);
  // Both are stored as f32 in GGUF: a value that does not survive the round trip would make the
  // TypeScript forward and llama.cpp use different constants.
  if (Math.fround(c.rmsEps) !== c.rmsEps) throw new LlamaConfigError(`rmsEps (${c.rmsEps}) is not exactly representable as f32; use Math.fround`);
  if (Math.fround(c.ropeTheta) !== c.ropeTheta) throw new LlamaConfigError(`ropeTheta (${c.ropeTheta}) is not exactly representable as f32; use Math.fround`);
  return c;
}

/** Size of one attention head. */
export function headDim(c: LlamaConfig): number {
  return c.dim / c.heads;
}

/** Width of the key and value projections' outputs (kvHeads × head size). */
export function kvDim(c: LlamaConfig): number {
  return c.kvHeads * headDim(c);
}

/**
 * The `general.architecture` and `llama.*` keys llama.cpp needs to load the model (the tokenizer
 * keys are the caller's: see weights.ts). `llama.vocab_size` is written too, so that the
 * configuration reads back even from a file whose tokenizer is replaced.
 */
export function llamaConfigToGgufMetadata(c: LlamaConfig): Array<[string, GgufValue]> {
  validateLlamaConfig(c);
  return [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['llama.vocab_size', { type: 'u32', value: c.vocabSize }],
    ['llama.context_length', { type: 'u32', value: c.contextLength }],
    ['llama.embedding_length', { type: 'u32', value: c.dim }],
    ['llama.block_count', { type: 'u32', value: c.layers }],
    ['llama.feed_forward_length', { type: 'u32', value: c.ffnDim }],
    ['llama.attention.head_count', { type: 'u32', value: c.heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: c.kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: c.rmsEps }],
    ['llama.rope.freq_base', { type: 'f32', value: c.ropeTheta }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim(c) }],
  ];
}

/**
 * Reads a LlamaConfig from a GGUF's metadata, with llama.cpp's defaults for optional keys
 * (head_count_kv = head_count, freq_base = 10000, vocabulary size = number of tokens). Throws
 * GgufError for a missing or mistyped key and LlamaConfigError for a model this code cannot run.
 */
export function llamaConfigFromGgufMetadata(metadata: ReadonlyMap<string, GgufValue>): LlamaConfig {
  const arch = requireScalar(metadata, 'general.architecture', 'string');
  if (arch !== 'llama') throw new LlamaConfigError(`general.architecture is ${JSON.stringify(arch)}; only llama is supported`);
  const heads = requireScalar(metadata, 'llama.attention.head_count', 'u32');
  const dim = requireScalar(metadata, 'llama.embedding_length', 'u32');
  let vocabSize = optionalScalar(metadata, 'llama.vocab_size', 'u32');
  if (vocabSize === undefined) {
    if (!metadata.has('tokenizer.ggml.tokens')) throw new GgufError('missing-key', 'neither llama.vocab_size nor tokenizer.ggml.tokens is present: the vocabulary size is unknown');
    vocabSize = requireArray(metadata, 'tokenizer.ggml.tokens', 'string').length;
  }
  const config: LlamaConfig = {
    vocabSize,
    dim,
    layers: requireScalar(metadata, 'llama.block_count', 'u32'),
    heads,
    kvHeads: optionalScalar(metadata, 'llama.attention.head_count_kv', 'u32') ?? heads,
    ffnDim: requireScalar(metadata, 'llama.feed_forward_length', 'u32'),
    contextLength: requireScalar(metadata, 'llama.context_length', 'u32'),
    rmsEps: requireScalar(metadata, 'llama.attention.layer_norm_rms_epsilon', 'f32'),
    ropeTheta: optionalScalar(metadata, 'llama.rope.freq_base', 'f32') ?? DEFAULT_ROPE_THETA,
  };
  validateLlamaConfig(config);
  const rot = optionalScalar(metadata, 'llama.rope.dimension_count', 'u32');
  if (rot !== undefined && rot !== headDim(config)) {
    throw new LlamaConfigError(`llama.rope.dimension_count is ${rot} but the head size is ${headDim(config)}: partial rotary embeddings are not supported`);
  }
  const scaling = optionalScalar(metadata, 'llama.rope.scaling.type', 'string');
  if (scaling !== undefined && scaling !== 'none') throw new LlamaConfigError(`RoPE scaling ${JSON.stringify(scaling)} is not supported`);
  const experts = optionalScalar(metadata, 'llama.expert_count', 'u32');
  if (experts !== undefined && experts > 0) throw new LlamaConfigError(`mixture-of-experts models (llama.expert_count = ${experts}) are not supported`);
  return config;
}
