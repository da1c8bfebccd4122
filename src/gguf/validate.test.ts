import { describe, expect, it } from 'vitest';
import { GgufError } from './errors.ts';
import { readGguf } from './reader.ts';
import { ggmlTypeByName, type GgufValue } from './types.ts';
import { validateLlamaModel, validateLoraAdapter } from './validate.ts';
import type { GgufTensorInput } from './writer.ts';
import { gguf, TINY, type TinyEdit, tinyAdapterGguf, loraPair, tinyLlamaGguf, zeroTensor } from '../../test/fixtures/tinyGguf.ts';

const { embd: EMBD, ff: FF, vocab: VOCAB } = TINY;
const { u32, f32, str } = gguf;
const f32Tensor = zeroTensor;
const model = (edit: TinyEdit = {}) => readGguf(tinyLlamaGguf(edit));
const adapter = (tensors: GgufTensorInput[], metadata: Array<[string, GgufValue]> = []) => readGguf(tinyAdapterGguf(tensors, metadata));

const faultOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GgufError);
    return (e as Error).message;
  }
  return 'accepted';
};

describe('validateLlamaModel', () => {
  it('accepts a complete llama model and reports what it measured', () => {
    const info = validateLlamaModel(model());
    expect(info).toMatchObject({ architecture: 'llama', name: 'tiny', embeddingLength: EMBD, blockCount: 2, headCount: 2, headCountKv: 2, vocabSize: VOCAB, tiedEmbeddings: false, tensorTypes: ['F32'] });
    expect(info.parameters).toBe(2 * EMBD * VOCAB + EMBD + 2 * (2 * EMBD + 4 * EMBD * EMBD + 3 * EMBD * FF));
    expect(info.tokenizer.hash).toMatch(/^0x[0-9a-f]{64}$/);
    // Tied embeddings: no output.weight.
    expect(validateLlamaModel(model({ tensors: (t) => t.filter((x) => x.name !== 'output.weight') })).tiedEmbeddings).toBe(true);
  });

  it.each([
    ['another architecture', { metadata: (m: Map<string, GgufValue>) => m.set('general.architecture', str('gpt2')) }, /general.architecture is "gpt2"; only "llama"/],
    ['an adapter', { metadata: (m: Map<string, GgufValue>) => m.set('general.type', str('adapter')) }, /this is not a model/],
    ['a missing key', { metadata: (m: Map<string, GgufValue>) => m.delete('llama.block_count') }, /key llama.block_count is missing; it must be a u32/],
    ['a key of the wrong type', { metadata: (m: Map<string, GgufValue>) => m.set('llama.context_length', { type: 'i32', value: 64 }) }, /key llama.context_length: want u32, found i32/],
    ['heads that do not divide the width', { metadata: (m: Map<string, GgufValue>) => m.set('llama.attention.head_count', u32(3)) }, /embedding_length 8 is not a multiple of llama.attention.head_count 3/],
    ['a zero width', { metadata: (m: Map<string, GgufValue>) => m.set('llama.embedding_length', u32(0)) }, /llama.embedding_length is 0; it must be from 1/],
    ['a bad epsilon', { metadata: (m: Map<string, GgufValue>) => m.set('llama.attention.layer_norm_rms_epsilon', f32(-1)) }, /layer_norm_rms_epsilon is -1/],
    ['token types that do not match the tokens', { metadata: (m: Map<string, GgufValue>) => m.set('tokenizer.ggml.token_type', { type: 'array', value: { itemType: 'i32', items: new Int32Array([1]) } }) }, /token_type has 1 entries for 16 tokens/],
    ['a gpt2 tokenizer without merges', { metadata: (m: Map<string, GgufValue>) => m.delete('tokenizer.ggml.merges') }, /tokenizer.ggml.merges is missing/],
    ['an end token beyond the vocabulary', { metadata: (m: Map<string, GgufValue>) => m.set('tokenizer.ggml.eos_token_id', u32(16)) }, /eos_token_id is 16, beyond the 16 tokens/],
    ['an unknown tokenizer', { metadata: (m: Map<string, GgufValue>) => m.set('tokenizer.ggml.model', str('rwkv')) }, /tokenizer.ggml.model is "rwkv"/],
    ['a missing tensor', { tensors: (t: GgufTensorInput[]) => t.filter((x) => x.name !== 'blk.1.ffn_up.weight') }, /tensor blk.1.ffn_up.weight is missing/],
    ['an extra tensor', { tensors: (t: GgufTensorInput[]) => [...t, f32Tensor('blk.2.attn_q.weight', [EMBD, EMBD])] }, /tensor blk.2.attn_q.weight is not part of a 2-block llama model/],
    ['a wrong shape', { tensors: (t: GgufTensorInput[]) => t.map((x) => (x.name === 'blk.0.ffn_down.weight' ? f32Tensor(x.name, [EMBD, FF]) : x)) }, /blk.0.ffn_down.weight has shape \[8, 12\], llama.cpp expects \[12, 8\]/],
    ['an embedding that does not match the tokenizer', { tensors: (t: GgufTensorInput[]) => t.map((x) => (x.name === 'token_embd.weight' ? f32Tensor(x.name, [EMBD, VOCAB + 1]) : x)) }, /token_embd.weight has shape \[8, 17\], llama.cpp expects \[8, 16\]/],
    ['a quantized norm', { tensors: (t: GgufTensorInput[]) => t.map((x) => (x.name === 'output_norm.weight' ? { ...x, type: 'F16', data: new Uint8Array(EMBD * 2) } : x)) }, /output_norm.weight is F16; norm weights must be F32/],
  ])('refuses %s', (_what, edit, message) => {
    expect(faultOf(() => validateLlamaModel(model(edit)))).toMatch(message);
  });

  it('refuses a quantized weight whose blocks do not divide its rows (which our writer cannot even produce)', () => {
    const file = model();
    const tampered = { ...file, tensors: file.tensors.map((t) => (t.name === 'blk.0.attn_q.weight' ? { ...t, type: ggmlTypeByName('Q8_0')! } : t)) };
    expect(faultOf(() => validateLlamaModel(tampered))).toMatch(/blk.0.attn_q.weight is Q8_0, whose blocks of 32 do not divide its rows of 8/);
  });
});

describe('validateLoraAdapter', () => {
  const base = validateLlamaModel(model());
  const pair = loraPair;

  it('accepts an adapter that fits its base', () => {
    const info = validateLoraAdapter(adapter([...pair(0, 'attn_q', EMBD, 2, EMBD), ...pair(1, 'ffn_down', FF, 2, EMBD)]), base);
    expect(info).toEqual({ alpha: 8, ranks: [2], targets: ['attn_q', 'ffn_down'], blocks: [0, 1], tensors: 4 });
  });

  it.each([
    ['half a pair', () => adapter([pair(0, 'attn_q', EMBD, 2, EMBD)[0]]), /has lora_a but no lora_b/],
    ['ranks that differ', () => adapter([f32Tensor('blk.0.attn_q.weight.lora_a', [EMBD, 2]), f32Tensor('blk.0.attn_q.weight.lora_b', [3, EMBD])]), /lora_a has rank 2 but lora_b has rank 3/],
    ['a size the base does not have', () => adapter(pair(0, 'ffn_up', EMBD, 2, FF + 1)), /maps 8 → 13, but the base's ffn_up maps 8 → 12/],
    ['a block the base does not have', () => adapter(pair(5, 'attn_v', EMBD, 2, EMBD)), /the base model has only 2 blocks/],
    ['a tensor that is not LoRA', () => adapter([f32Tensor('blk.0.attn_q.weight', [EMBD, EMBD])]), /is not a LoRA tensor/],
    ['another adapter type', () => adapter(pair(0, 'attn_q', EMBD, 2, EMBD), [['adapter.type', str('ia3')]]), /adapter.type is "ia3"/],
    ['no tensors', () => adapter([]), /holds no LoRA tensors/],
  ])('refuses %s', (_what, make, message) => {
    expect(faultOf(() => validateLoraAdapter(make(), base))).toMatch(message);
  });
});
