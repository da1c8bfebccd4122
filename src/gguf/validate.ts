// Checks that a parsed GGUF is a llama-architecture model, or a LoRA adapter for one,
// that llama.cpp can load without tripping an assert: every key llama.cpp reads with the
// type it reads it as, hyper-parameters that fit together, a tokenizer that agrees with
// the embedding, and exactly the tensors llama.cpp creates, each with the shape it
// expects and a type whose blocks divide its rows. The reader already refused anything
// malformed at the byte level. A file must pass this before llama.cpp ever opens it;
// this module must never accept a file by default because a check was skipped.
import { createHash } from 'node:crypto';
import { GgufError } from './errors.ts';
import { optionalArray, optionalScalar, requireArray, requireScalar } from './metadata.ts';
import type { GgufFile, GgufTensorInfo } from './reader.ts';

/** What registration records about a base model, all measured from the file. */
export interface LlamaModelInfo {
  architecture: 'llama';
  name: string;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  rmsEpsilon: number;
  ropeFreqBase: number;
  vocabSize: number;
  tokenizer: {
    /** `tokenizer.ggml.model`, e.g. "gpt2" or "llama". */
    model: string;
    /** SHA-256 over the tokens (and merges, if any), so two models can be seen to share a tokenizer. */
    hash: string;
  };
  /** Weights in the file (elements over every tensor). */
  parameters: number;
  /** ggml types of the weights, e.g. ["F32"] or ["F16", "Q8_0"]. */
  tensorTypes: string[];
  tiedEmbeddings: boolean;
}

export interface LoraAdapterInfo {
  alpha: number;
  /** Ranks seen (normally one). */
  ranks: number[];
  /** Projection names adapted, e.g. ["attn_q", "attn_v"]. */
  targets: string[];
  /** Blocks that carry at least one adapted projection. */
  blocks: number[];
  tensors: number;
}

const MAX_DIM = 1 << 20;
const MAX_CONTEXT = 1 << 24;
const MAX_BLOCKS = 4096;

function fail(message: string, code: 'invalid-value' | 'invalid-tensor' | 'missing-key' = 'invalid-value'): never {
  throw new GgufError(code, message);
}

function positive(file: GgufFile, key: string, max: number): number {
  const v = requireScalar(file.metadata, key, 'u32');
  if (v < 1 || v > max) fail(`key ${key} is ${v}; it must be from 1 to ${max}`);
  return v;
}

function tensorMap(file: GgufFile): Map<string, GgufTensorInfo> {
  return new Map(file.tensors.map((t) => [t.name, t]));
}

function checkShape(t: GgufTensorInfo | undefined, name: string, dims: number[], normLike = false): GgufTensorInfo {
  if (!t) fail(`tensor ${name} is missing`, 'invalid-tensor');
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i]))
    fail(`tensor ${name} has shape [${t.dims.join(', ')}], llama.cpp expects [${dims.join(', ')}] (innermost first)`, 'invalid-tensor');
  if (normLike && t.type.name !== 'F32') fail(`tensor ${name} is ${t.type.name}; norm weights must be F32`, 'invalid-tensor');
  if (t.dims[0] % t.type.blockSize !== 0)
    fail(`tensor ${name} is ${t.type.name}, whose blocks of ${t.type.blockSize} do not divide its rows of ${t.dims[0]}`, 'invalid-tensor');
  if (!['F32', 'F16', 'BF16'].includes(t.type.name) && t.type.blockSize === 1)
    fail(`tensor ${name} has type ${t.type.name}, which is not a weight type`, 'invalid-tensor');
  return t;
}

/** The tensors a llama model must hold, with their shapes (innermost first). */
function expectedTensors(c: { embd: number; kv: number; ff: number; vocab: number; blocks: number }, tied: boolean): Map<string, { dims: number[]; norm: boolean }> {
  const m = new Map<string, { dims: number[]; norm: boolean }>();
  m.set('token_embd.weight', { dims: [c.embd, c.vocab], norm: false });
  m.set('output_norm.weight', { dims: [c.embd], norm: true });
  if (!tied) m.set('output.weight', { dims: [c.embd, c.vocab], norm: false });
  for (let i = 0; i < c.blocks; i++) {
    m.set(`blk.${i}.attn_norm.weight`, { dims: [c.embd], norm: true });
    m.set(`blk.${i}.attn_q.weight`, { dims: [c.embd, c.embd], norm: false });
    m.set(`blk.${i}.attn_k.weight`, { dims: [c.embd, c.kv], norm: false });
    m.set(`blk.${i}.attn_v.weight`, { dims: [c.embd, c.kv], norm: false });
    m.set(`blk.${i}.attn_output.weight`, { dims: [c.embd, c.embd], norm: false });
    m.set(`blk.${i}.ffn_norm.weight`, { dims: [c.embd], norm: true });
    m.set(`blk.${i}.ffn_gate.weight`, { dims: [c.embd, c.ff], norm: false });
    m.set(`blk.${i}.ffn_up.weight`, { dims: [c.embd, c.ff], norm: false });
    m.set(`blk.${i}.ffn_down.weight`, { dims: [c.ff, c.embd], norm: false });
  }
  return m;
}

/** Validates a llama-architecture model. Throws GgufError naming the first fault. */
export function validateLlamaModel(file: GgufFile): LlamaModelInfo {
  const md = file.metadata;
  const type = optionalScalar(md, 'general.type', 'string');
  if (type !== undefined && type !== 'model') fail(`general.type is "${type}": this is not a model (an adapter is registered with its base, not as one)`);
  const arch = requireScalar(md, 'general.architecture', 'string');
  if (arch !== 'llama') fail(`general.architecture is "${arch}"; only "llama" models are supported`);
  const embd = positive(file, 'llama.embedding_length', MAX_DIM);
  const blocks = positive(file, 'llama.block_count', MAX_BLOCKS);
  const ff = positive(file, 'llama.feed_forward_length', MAX_DIM);
  const heads = positive(file, 'llama.attention.head_count', MAX_DIM);
  const ctx = positive(file, 'llama.context_length', MAX_CONTEXT);
  const kvHeads = md.has('llama.attention.head_count_kv') ? positive(file, 'llama.attention.head_count_kv', MAX_DIM) : heads;
  if (embd % heads !== 0) fail(`llama.embedding_length ${embd} is not a multiple of llama.attention.head_count ${heads}`);
  if (heads % kvHeads !== 0) fail(`llama.attention.head_count ${heads} is not a multiple of llama.attention.head_count_kv ${kvHeads}`);
  const headDim = embd / heads;
  if (headDim % 2 !== 0) fail(`the head size ${headDim} (embedding_length / head_count) must be even for rotary embeddings`);
  const ropeDims = optionalScalar(md, 'llama.rope.dimension_count', 'u32');
  if (ropeDims !== undefined && (ropeDims < 2 || ropeDims > headDim || ropeDims % 2 !== 0))
    fail(`llama.rope.dimension_count ${ropeDims} must be even and at most the head size ${headDim}`);
  const eps = requireScalar(md, 'llama.attention.layer_norm_rms_epsilon', 'f32');
  if (!(eps > 0 && eps < 1)) fail(`llama.attention.layer_norm_rms_epsilon is ${eps}; it must be between 0 and 1`);
  const freqBase = optionalScalar(md, 'llama.rope.freq_base', 'f32') ?? 10_000;
  if (!(freqBase > 1 && Number.isFinite(freqBase))) fail(`llama.rope.freq_base is ${freqBase}; it must be a finite number above 1`);

  const tokModel = requireScalar(md, 'tokenizer.ggml.model', 'string');
  if (!['gpt2', 'llama'].includes(tokModel)) fail(`tokenizer.ggml.model is "${tokModel}"; supported: "gpt2" (byte-level BPE) and "llama" (SentencePiece)`);
  const tokens = requireArray(md, 'tokenizer.ggml.tokens', 'string');
  if (tokens.length === 0) fail('tokenizer.ggml.tokens is empty');
  const vocab = tokens.length;
  for (const [key, itemType] of [['tokenizer.ggml.token_type', 'i32'], ['tokenizer.ggml.scores', 'f32']] as const) {
    const items = optionalArray(md, key, itemType);
    if (items !== undefined && items.length !== vocab) fail(`${key} has ${items.length} entries for ${vocab} tokens`);
  }
  const merges = optionalArray(md, 'tokenizer.ggml.merges', 'string');
  if (tokModel === 'gpt2' && merges === undefined) fail('tokenizer.ggml.merges is missing; a "gpt2" tokenizer needs its BPE merges', 'missing-key');
  for (const key of ['tokenizer.ggml.bos_token_id', 'tokenizer.ggml.eos_token_id', 'tokenizer.ggml.unknown_token_id', 'tokenizer.ggml.padding_token_id']) {
    const id = optionalScalar(md, key, 'u32');
    if (id !== undefined && id >= vocab) fail(`${key} is ${id}, beyond the ${vocab} tokens`);
  }
  const declaredVocab = optionalScalar(md, 'llama.vocab_size', 'u32');
  if (declaredVocab !== undefined && declaredVocab !== vocab) fail(`llama.vocab_size is ${declaredVocab}, but the tokenizer has ${vocab} tokens`);

  const have = tensorMap(file);
  const tied = !have.has('output.weight');
  const want = expectedTensors({ embd, kv: kvHeads * headDim, ff, vocab, blocks }, tied);
  for (const t of file.tensors) if (!want.has(t.name)) fail(`tensor ${t.name} is not part of a ${blocks}-block llama model`, 'invalid-tensor');
  let parameters = 0;
  const types = new Set<string>();
  for (const [name, w] of want) {
    const t = checkShape(have.get(name), name, w.dims, w.norm);
    parameters += t.dims.reduce((a, b) => a * b, 1);
    types.add(t.type.name);
  }

  const tokHash = createHash('sha256');
  for (const s of tokens) tokHash.update(s).update('\0');
  tokHash.update('\x01');
  for (const s of merges ?? []) tokHash.update(s).update('\0');
  return {
    architecture: 'llama',
    name: optionalScalar(md, 'general.name', 'string') ?? '',
    contextLength: ctx,
    embeddingLength: embd,
    blockCount: blocks,
    feedForwardLength: ff,
    headCount: heads,
    headCountKv: kvHeads,
    rmsEpsilon: eps,
    ropeFreqBase: freqBase,
    vocabSize: vocab,
    tokenizer: { model: tokModel, hash: '0x' + tokHash.digest('hex') },
    parameters,
    tensorTypes: [...types].sort(),
    tiedEmbeddings: tied,
  };
}

/** The projections llama.cpp applies a LoRA to, by tensor name. */
const LORA_TARGETS = ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up', 'ffn_down'];
const LORA_NAME = /^blk\.(\d+)\.(attn_q|attn_k|attn_v|attn_output|ffn_gate|ffn_up|ffn_down)\.weight\.lora_(a|b)$/;

/**
 * Validates a LoRA adapter GGUF, and, given its base, that every adapted projection
 * exists in the base with matching sizes. Throws GgufError naming the first fault.
 */
export function validateLoraAdapter(file: GgufFile, base?: LlamaModelInfo): LoraAdapterInfo {
  const md = file.metadata;
  const type = requireScalar(md, 'general.type', 'string');
  if (type !== 'adapter') fail(`general.type is "${type}", not "adapter"`);
  const kind = requireScalar(md, 'adapter.type', 'string');
  if (kind !== 'lora') fail(`adapter.type is "${kind}"; only "lora" adapters are supported`);
  const arch = requireScalar(md, 'general.architecture', 'string');
  if (arch !== 'llama') fail(`general.architecture is "${arch}"; only adapters for "llama" models are supported`);
  const alpha = optionalScalar(md, 'adapter.lora.alpha', 'f32') ?? 0;
  if (!Number.isFinite(alpha) || alpha < 0) fail(`adapter.lora.alpha is ${alpha}; it must be a finite number ≥ 0`);

  const pairs = new Map<string, { a?: GgufTensorInfo; b?: GgufTensorInfo; block: number; target: string }>();
  for (const t of file.tensors) {
    const m = LORA_NAME.exec(t.name);
    if (!m) fail(`tensor ${t.name} is not a LoRA tensor (blk.N.<${LORA_TARGETS.join('|')}>.weight.lora_a|lora_b)`, 'invalid-tensor');
    if (!['F32', 'F16'].includes(t.type.name)) fail(`tensor ${t.name} is ${t.type.name}; LoRA tensors must be F32 or F16`, 'invalid-tensor');
    if (t.dims.length !== 2) fail(`tensor ${t.name} has ${t.dims.length} dimensions; LoRA tensors have 2`, 'invalid-tensor');
    const key = `blk.${m[1]}.${m[2]}`;
    const p = pairs.get(key) ?? { block: Number(m[1]), target: m[2] };
    p[m[3] as 'a' | 'b'] = t;
    pairs.set(key, p);
  }
  if (pairs.size === 0) fail('the adapter holds no LoRA tensors', 'invalid-tensor');
  const ranks = new Set<number>();
  for (const [key, p] of pairs) {
    if (!p.a || !p.b) fail(`${key}.weight has lora_${p.a ? 'a' : 'b'} but no lora_${p.a ? 'b' : 'a'}`, 'invalid-tensor');
    // lora_a is [in, r] and lora_b is [r, out], innermost first.
    const [inA, r] = p.a.dims;
    const [rB, out] = p.b.dims;
    if (r !== rB) fail(`${key}.weight: lora_a has rank ${r} but lora_b has rank ${rB}`, 'invalid-tensor');
    if (r < 1 || r > Math.min(inA, out)) fail(`${key}.weight: rank ${r} must be from 1 to min(in, out) = ${Math.min(inA, out)}`, 'invalid-tensor');
    ranks.add(r);
    if (base) {
      if (p.block >= base.blockCount) fail(`${key}.weight: the base model has only ${base.blockCount} blocks`, 'invalid-tensor');
      const kv = base.headCountKv * (base.embeddingLength / base.headCount);
      const [wantIn, wantOut] = {
        attn_q: [base.embeddingLength, base.embeddingLength],
        attn_k: [base.embeddingLength, kv],
        attn_v: [base.embeddingLength, kv],
        attn_output: [base.embeddingLength, base.embeddingLength],
        ffn_gate: [base.embeddingLength, base.feedForwardLength],
        ffn_up: [base.embeddingLength, base.feedForwardLength],
        ffn_down: [base.feedForwardLength, base.embeddingLength],
      }[p.target]!;
      if (inA !== wantIn || out !== wantOut)
        fail(`${key}.weight: the adapter maps ${inA} → ${out}, but the base's ${p.target} maps ${wantIn} → ${wantOut}`, 'invalid-tensor');
    }
  }
  const blocks = [...new Set([...pairs.values()].map((p) => p.block))].sort((a, b) => a - b);
  const targets = LORA_TARGETS.filter((t) => [...pairs.values()].some((p) => p.target === t));
  return { alpha, ranks: [...ranks].sort((a, b) => a - b), targets, blocks, tensors: file.tensors.length };
}
