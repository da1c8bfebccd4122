// Tiny GGUF files for tests: a 2-block llama model with a 16-token vocabulary and zero
// weights, and LoRA adapters for it, written with the project's own GGUF writer. Valid
// as far as the validator is concerned; for llama.cpp-loadable models with real weights
// and a real tokenizer, see src/models/llama/.
import type { GgufValue } from '../models/gguf/types.ts';
import { type GgufTensorInput, writeGguf } from '../models/gguf/writer.ts';

export const TINY = { embd: 8, ff: 12, vocab: 16, heads: 2, blocks: 2 } as const;

export const gguf = {
  u32: (value: number): GgufValue => ({ type: 'u32', value }),
  f32: (value: number): GgufValue => ({ type: 'f32', value }),
  str: (value: string): GgufValue => ({ type: 'string', value }),
  strs: (items: string[]): GgufValue => ({ type: 'array', value: { itemType: 'string', items } }),
};

export const zeroTensor = (name: string, dims: number[]): GgufTensorInput => ({ name, dims, type: 'F32', data: new Uint8Array(dims.reduce((a, b) => a * b, 1) * 4) });

export interface TinyEdit {
  metadata?: (m: Map<string, GgufValue>) => void;
  tensors?: (t: GgufTensorInput[]) => GgufTensorInput[];
}

/** The bytes of a tiny llama GGUF, after `edit` changes its metadata or tensors. */
export function tinyLlamaGguf(edit: TinyEdit = {}): Uint8Array {
  const { embd, ff, vocab, heads, blocks } = TINY;
  const metadata = new Map<string, GgufValue>([
    ['general.architecture', gguf.str('llama')],
    ['general.name', gguf.str('tiny')],
    ['llama.context_length', gguf.u32(64)],
    ['llama.embedding_length', gguf.u32(embd)],
    ['llama.block_count', gguf.u32(blocks)],
    ['llama.feed_forward_length', gguf.u32(ff)],
    ['llama.attention.head_count', gguf.u32(heads)],
    ['llama.attention.layer_norm_rms_epsilon', gguf.f32(1e-5)],
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.tokens', gguf.strs(Array.from({ length: vocab }, (_, i) => `t${i}`))],
    ['tokenizer.ggml.merges', gguf.strs([])],
    ['tokenizer.ggml.token_type', { type: 'array', value: { itemType: 'i32', items: new Int32Array(vocab).fill(1) } }],
    ['tokenizer.ggml.eos_token_id', gguf.u32(0)],
  ]);
  edit.metadata?.(metadata);
  let tensors = [zeroTensor('token_embd.weight', [embd, vocab]), zeroTensor('output_norm.weight', [embd]), zeroTensor('output.weight', [embd, vocab])];
  for (let i = 0; i < blocks; i++)
    tensors.push(
      zeroTensor(`blk.${i}.attn_norm.weight`, [embd]),
      zeroTensor(`blk.${i}.attn_q.weight`, [embd, embd]),
      zeroTensor(`blk.${i}.attn_k.weight`, [embd, embd]),
      zeroTensor(`blk.${i}.attn_v.weight`, [embd, embd]),
      zeroTensor(`blk.${i}.attn_output.weight`, [embd, embd]),
      zeroTensor(`blk.${i}.ffn_norm.weight`, [embd]),
      zeroTensor(`blk.${i}.ffn_gate.weight`, [embd, ff]),
      zeroTensor(`blk.${i}.ffn_up.weight`, [embd, ff]),
      zeroTensor(`blk.${i}.ffn_down.weight`, [ff, embd]),
    );
  if (edit.tensors) tensors = edit.tensors(tensors);
  return writeGguf({ metadata: [...metadata], tensors });
}

/** The bytes of a LoRA adapter GGUF holding `tensors`, with `metadata` over the defaults. */
export function tinyAdapterGguf(tensors: GgufTensorInput[], metadata: Array<[string, GgufValue]> = []): Uint8Array {
  const md = new Map<string, GgufValue>([
    ['general.architecture', gguf.str('llama')],
    ['general.type', gguf.str('adapter')],
    ['adapter.type', gguf.str('lora')],
    ['adapter.lora.alpha', gguf.f32(8)],
    ...metadata,
  ]);
  return writeGguf({ metadata: [...md], tensors });
}

/** A lora_a/lora_b pair for one projection, `in → out` at rank `r`. */
export function loraPair(block: number, target: string, inDim: number, r: number, out: number): GgufTensorInput[] {
  return [zeroTensor(`blk.${block}.${target}.weight.lora_a`, [inDim, r]), zeroTensor(`blk.${block}.${target}.weight.lora_b`, [r, out])];
}
