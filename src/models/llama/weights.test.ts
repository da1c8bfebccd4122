// Tests of config.ts, weights.ts and lora.ts without llama.cpp: validation names the field at
// fault, GGUF metadata and tensors round-trip exactly, tensor names and dims are llama.cpp's,
// and files with features we do not compute are refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readGguf } from '../../gguf/reader.ts';
import { writeGguf } from '../../gguf/writer.ts';
import { vocabPath } from '../../tokenizer/vocab.ts';
import { LlamaConfigError, llamaConfigFromGgufMetadata, llamaConfigToGgufMetadata, validateLlamaConfig, type LlamaConfig } from './config.ts';
import { buildLoraGguf, initLoraWeights, LoraError, loraScale, loraWeightsFromGguf } from './lora.ts';
import { buildLlamaGguf, initLlamaWeights, llamaWeightsFromGguf, llamaWeightsToGgufTensors, writeLlamaGguf } from './weights.ts';

const small: LlamaConfig = { vocabSize: 50257, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffnDim: 48, contextLength: 64, rmsEps: Math.fround(1e-5), ropeTheta: 10000 };

describe('config', () => {
  test.each([
    [{ dim: 30 }, /multiple of heads/],
    [{ kvHeads: 3 }, /multiple of kvHeads/],
    [{ dim: 12, heads: 4 }, /must be even for RoPE/],
    [{ layers: 0 }, /layers must be a positive integer/],
    [{ rmsEps: 1e-5 }, /not exactly representable as f32/],
    [{ rmsEps: 0 }, /rmsEps must be a positive/],
  ] as const)('rejects %o', (change, message) => {
    expect(() => validateLlamaConfig({ ...small, ...change })).toThrow(message);
  });

  test('round-trips through GGUF metadata', () => {
    expect(llamaConfigFromGgufMetadata(new Map(llamaConfigToGgufMetadata(small)))).toEqual(small);
  });

  test('refuses what the forward does not compute', () => {
    const base = llamaConfigToGgufMetadata(small);
    const withKey = (k: string, v: Parameters<typeof Map.prototype.set>[1]) => new Map([...base, [k, v]]);
    expect(() => llamaConfigFromGgufMetadata(withKey('general.architecture', { type: 'string', value: 'gpt2' }))).toThrow(LlamaConfigError);
    expect(() => llamaConfigFromGgufMetadata(withKey('llama.rope.dimension_count', { type: 'u32', value: 4 }))).toThrow(/partial rotary/);
    expect(() => llamaConfigFromGgufMetadata(withKey('llama.rope.scaling.type', { type: 'string', value: 'yarn' }))).toThrow(/RoPE scaling/);
  });
});

describe('model GGUF', () => {
  const weights = initLlamaWeights(small, { seed: 3 });

  test("tensors carry llama.cpp's names and innermost-first dims", () => {
    const byName = new Map(llamaWeightsToGgufTensors(weights).map((t) => [t.name, t.dims]));
    expect(byName.get('token_embd.weight')).toEqual([32, 50257]);
    expect(byName.get('output.weight')).toEqual([32, 50257]);
    expect(byName.get('blk.1.attn_k.weight')).toEqual([32, 16]);
    expect(byName.get('blk.0.ffn_down.weight')).toEqual([48, 32]);
    expect(byName.get('blk.0.ffn_up.weight')).toEqual([32, 48]);
    expect(byName.size).toBe(3 + 2 * 9);
  });

  test('writes, reads back bit for bit, and carries the GPT-2 tokenizer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-llama-w-'));
    try {
      const path = join(dir, 'm.gguf');
      writeLlamaGguf(path, weights, { tokenizerFrom: vocabPath('gpt-2') });
      const bytes = new Uint8Array(readFileSync(path));
      const file = readGguf(bytes);
      expect(file.metadata.get('tokenizer.ggml.pre')?.value).toBe('gpt-2');
      expect(file.metadata.has('tokenizer.ggml.merges')).toBe(true);
      const back = llamaWeightsFromGguf(bytes);
      expect(back.config).toEqual(small);
      // Compared as bytes: vitest's deep equality takes seconds over a million floats.
      const same = (a: Float32Array | null, b: Float32Array | null): boolean => a !== null && b !== null && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
      expect(same(back.tokenEmbd, weights.tokenEmbd)).toBe(true);
      expect(same(back.output, weights.output)).toBe(true);
      expect(same(back.outputNorm, weights.outputNorm)).toBe(true);
      expect(back.layers.every((l, i) => same(l.wq, weights.layers[i]!.wq) && same(l.wDown, weights.layers[i]!.wDown) && same(l.ffnNorm, weights.layers[i]!.ffnNorm))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a tied model has no output.weight and reads back tied', () => {
    const tied = initLlamaWeights(small, { seed: 4, tied: true });
    const back = llamaWeightsFromGguf(buildLlamaGguf(tied, { tokenizerFrom: vocabPath('gpt-2') }));
    expect(back.output).toBeNull();
  });

  test('refuses a tokenizer of another size and tensors it does not know', () => {
    expect(() => buildLlamaGguf(initLlamaWeights({ ...small, vocabSize: 100 }, { seed: 5 }), { tokenizerFrom: vocabPath('gpt-2') })).toThrow(/50257 tokens/);
    const tensors = llamaWeightsToGgufTensors(weights);
    const extra = writeGguf({ metadata: llamaConfigToGgufMetadata(small), tensors: [...tensors, { name: 'blk.0.attn_q.bias', dims: [32], type: 'F32', data: new Uint8Array(128) }] });
    expect(() => llamaWeightsFromGguf(extra)).toThrow(/unsupported tensors: blk.0.attn_q.bias/);
  });
});

describe('LoRA GGUF', () => {
  test('adapter metadata, dims [in, r] / [r, out], exact round trip', () => {
    const lora = initLoraWeights(small, { rank: 3, alpha: 6, targets: ['k', 'down'] }, { seed: 6, bStd: 0.1 });
    const bytes = buildLoraGguf(small, lora);
    const file = readGguf(bytes);
    expect(file.metadata.get('general.type')?.value).toBe('adapter');
    expect(file.metadata.get('adapter.type')?.value).toBe('lora');
    const dims = new Map(file.tensors.map((t) => [t.name, t.dims]));
    expect(dims.get('blk.0.attn_k.weight.lora_a')).toEqual([32, 3]);
    expect(dims.get('blk.0.attn_k.weight.lora_b')).toEqual([3, 16]);
    expect(dims.get('blk.1.ffn_down.weight.lora_a')).toEqual([48, 3]);
    expect(dims.get('blk.1.ffn_down.weight.lora_b')).toEqual([3, 32]);
    expect(file.tensors.length).toBe(2 * 2 * 2);
    const back = loraWeightsFromGguf(small, bytes);
    expect(back.config).toEqual({ rank: 3, alpha: 6, targets: ['k', 'down'] });
    expect(back.layers[1]!.down!.b).toEqual(lora.layers[1]!.down!.b);
  });

  test("scale is llama.cpp's: user × alpha / rank, or the user scale alone without alpha", () => {
    expect(loraScale({ rank: 4, alpha: 8, targets: ['q'] }, 0.5)).toBe(1);
    expect(loraScale({ rank: 4, alpha: 0, targets: ['q'] }, 0.5)).toBe(0.5);
  });

  test('validation', () => {
    expect(() => initLoraWeights(small, { rank: 0, alpha: 1, targets: ['q'] }, { seed: 1 })).toThrow(LoraError);
    expect(() => initLoraWeights(small, { rank: 2, alpha: 1, targets: ['q', 'q'] }, { seed: 1 })).toThrow(/repeat/);
    expect(() => initLoraWeights(small, { rank: 2, alpha: 1, targets: ['wq' as 'q'] }, { seed: 1 })).toThrow(/unknown target/);
    const other = buildLoraGguf({ ...small, dim: 64, heads: 8 }, initLoraWeights({ ...small, dim: 64, heads: 8 }, { rank: 2, alpha: 1, targets: ['q'] }, { seed: 1 }));
    expect(() => loraWeightsFromGguf(small, other)).toThrow(/dims/);
  });
});
