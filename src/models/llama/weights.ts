// A llama model's weights as host-side F32 arrays in llama.cpp's own layout, and everything that
// moves them in or out of a GGUF: seeded random initialisation of a tiny model (for tests and
// benchmarks), conversion to and from GGUF tensors under llama.cpp's tensor names, and writing a
// complete model file (configuration + weights + a real tokenizer copied from a vocabulary GGUF).
// Layout: a matrix y = W·x with x of length `in` and y of length `out` is a GGUF tensor with dims
// [in, out] (innermost first), i.e. row-major [out][in] data; that is exactly how it is held here,
// so reading and writing never transpose. (forward.ts transposes once when it uploads to tfjs.)
// It must never write a file that our own GGUF reader rejects (a malformed GGUF can abort
// llama.cpp's process), never leave a half-written file at the destination, and never hold a
// weight in any precision but F32.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { readGguf, readGgufFile, type GgufFile } from '../../gguf/reader.ts';
import { writeGguf, type GgufTensorInput } from '../../gguf/writer.ts';
import type { GgufValue } from '../../gguf/types.ts';
import { prng } from '../../random/prng.ts';
import { kvDim, llamaConfigFromGgufMetadata, llamaConfigToGgufMetadata, validateLlamaConfig, type LlamaConfig } from './config.ts';

export interface LlamaLayerWeights {
  /** [dim] */
  readonly attnNorm: Float32Array;
  /** [dim][dim]: out = heads × head size, in = dim. */
  readonly wq: Float32Array;
  /** [kvDim][dim] */
  readonly wk: Float32Array;
  /** [kvDim][dim] */
  readonly wv: Float32Array;
  /** [dim][dim] */
  readonly wo: Float32Array;
  /** [dim] */
  readonly ffnNorm: Float32Array;
  /** [ffnDim][dim] */
  readonly wGate: Float32Array;
  /** [ffnDim][dim] */
  readonly wUp: Float32Array;
  /** [dim][ffnDim] */
  readonly wDown: Float32Array;
}

export interface LlamaWeights {
  readonly config: LlamaConfig;
  /** [vocabSize][dim]: row t is token t's embedding. */
  readonly tokenEmbd: Float32Array;
  readonly layers: readonly LlamaLayerWeights[];
  /** [dim] */
  readonly outputNorm: Float32Array;
  /** [vocabSize][dim], or null when the output projection is tied to tokenEmbd (llama.cpp's rule when output.weight is absent). */
  readonly output: Float32Array | null;
}

export class LlamaWeightsError extends Error {
  override readonly name = 'LlamaWeightsError';
}

/** The per-layer matrices, each with its GGUF name suffix and its [in, out] extents. */
export const LAYER_MATRICES = [
  ['wq', 'attn_q'],
  ['wk', 'attn_k'],
  ['wv', 'attn_v'],
  ['wo', 'attn_output'],
  ['wGate', 'ffn_gate'],
  ['wUp', 'ffn_up'],
  ['wDown', 'ffn_down'],
] as const satisfies ReadonlyArray<readonly [keyof LlamaLayerWeights, string]>;

export type LayerMatrix = (typeof LAYER_MATRICES)[number][0];

/** [in, out] of a layer matrix (GGUF dims order). */
export function layerMatrixDims(c: LlamaConfig, m: LayerMatrix): readonly [number, number] {
  switch (m) {
    case 'wq': return [c.dim, c.dim];
    case 'wk': case 'wv': return [c.dim, kvDim(c)];
    case 'wo': return [c.dim, c.dim];
    case 'wGate': case 'wUp': return [c.dim, c.ffnDim];
    case 'wDown': return [c.ffnDim, c.dim];
  }
}

/** Standard normal samples scaled by `std`, from a seeded uniform generator (Box–Muller). */
export function gaussianArray(rand: () => number, n: number, std: number, mean = 0): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    // 1 - u keeps the logarithm's argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - rand()));
    const t = 2 * Math.PI * rand();
    out[i] = mean + std * r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(t);
  }
  return out;
}

export interface LlamaInitOptions {
  readonly seed: number;
  /**
   * Standard deviation of the output projection's entries times sqrt(dim): roughly the standard
   * deviation of the logits. Default 4, so that next-token distributions are peaked (a top
   * probability of tenths) rather than uniform over the vocabulary, where every comparison
   * of probabilities would pass trivially.
   */
  readonly logitStd?: number;
  /** Spread of RMSNorm gains around 1 (default 0.1), so that a forward ignoring them would show. */
  readonly normJitter?: number;
  /** Hold the output projection tied to the embedding (no output.weight tensor). Default false. */
  readonly tied?: boolean;
}

/**
 * Random weights for a small model: embeddings N(0, 1); every projection N(0, 1/fan_in), so
 * activations keep unit scale through the blocks (attention scores of order 1, neither uniform
 * nor one-hot); norm gains 1 ± jitter; output projection scaled to `logitStd`.
 */
export function initLlamaWeights(config: LlamaConfig, options: LlamaInitOptions): LlamaWeights {
  const c = validateLlamaConfig(config);
  const rand = prng(options.seed);
  const jitter = options.normJitter ?? 0.1;
  const norm = (): Float32Array => gaussianArray(rand, c.dim, jitter, 1);
  const matrix = (m: LayerMatrix): Float32Array => {
    const [inDim, outDim] = layerMatrixDims(c, m);
    return gaussianArray(rand, inDim * outDim, 1 / Math.sqrt(inDim));
  };
  const tokenEmbd = gaussianArray(rand, c.vocabSize * c.dim, 1);
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < c.layers; l += 1) {
    layers.push({
      attnNorm: norm(), wq: matrix('wq'), wk: matrix('wk'), wv: matrix('wv'), wo: matrix('wo'),
      ffnNorm: norm(), wGate: matrix('wGate'), wUp: matrix('wUp'), wDown: matrix('wDown'),
    });
  }
  const outputNorm = norm();
  const output = options.tied ? null : gaussianArray(rand, c.vocabSize * c.dim, (options.logitStd ?? 4) / Math.sqrt(c.dim));
  return { config: c, tokenEmbd, layers, outputNorm, output };
}

/** Bytes of a Float32Array as stored in GGUF (little-endian, which every platform Node runs on is). */
function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Throws unless `a` holds exactly `n` values. */
function checkLength(name: string, a: Float32Array, n: number): void {
  if (!(a instanceof Float32Array)) throw new LlamaWeightsError(`${name}: must be a Float32Array`);
  if (a.length !== n) throw new LlamaWeightsError(`${name}: ${a.length} values, the configuration needs ${n}`);
}

/** Checks every array's length against the configuration. */
export function validateLlamaWeights(w: LlamaWeights): LlamaWeights {
  const c = validateLlamaConfig(w.config);
  checkLength('token_embd.weight', w.tokenEmbd, c.vocabSize * c.dim);
  checkLength('output_norm.weight', w.outputNorm, c.dim);
  if (w.output !== null) checkLength('output.weight', w.output, c.vocabSize * c.dim);
  if (w.layers.length !== c.layers) throw new LlamaWeightsError(`${w.layers.length} layers of weights, the configuration has ${c.layers}`);
  w.layers.forEach((layer, i) => {
    checkLength(`blk.${i}.attn_norm.weight`, layer.attnNorm, c.dim);
    checkLength(`blk.${i}.ffn_norm.weight`, layer.ffnNorm, c.dim);
    for (const [m, name] of LAYER_MATRICES) {
      const [inDim, outDim] = layerMatrixDims(c, m);
      checkLength(`blk.${i}.${name}.weight`, layer[m], inDim * outDim);
    }
  });
  return w;
}

/** The model's tensors under llama.cpp's names, all F32, dims innermost first. */
export function llamaWeightsToGgufTensors(w: LlamaWeights): GgufTensorInput[] {
  const c = validateLlamaWeights(w).config;
  const t = (name: string, dims: readonly number[], data: Float32Array): GgufTensorInput => ({ name, dims, type: 'F32', data: f32Bytes(data) });
  const tensors = [t('token_embd.weight', [c.dim, c.vocabSize], w.tokenEmbd), t('output_norm.weight', [c.dim], w.outputNorm)];
  if (w.output !== null) tensors.push(t('output.weight', [c.dim, c.vocabSize], w.output));
  w.layers.forEach((layer, i) => {
    tensors.push(t(`blk.${i}.attn_norm.weight`, [c.dim], layer.attnNorm));
    for (const [m, name] of LAYER_MATRICES) {
      if (name === 'ffn_gate') tensors.push(t(`blk.${i}.ffn_norm.weight`, [c.dim], layer.ffnNorm));
      tensors.push(t(`blk.${i}.${name}.weight`, layerMatrixDims(c, m), layer[m]));
    }
  });
  return tensors;
}

/** The names llamaWeightsToGgufTensors writes for this configuration. */
export function llamaWeightsToGgufTensorNames(c: LlamaConfig, withOutput: boolean): string[] {
  const names = ['token_embd.weight', 'output_norm.weight'];
  if (withOutput) names.push('output.weight');
  for (let i = 0; i < c.layers; i += 1) {
    names.push(`blk.${i}.attn_norm.weight`, `blk.${i}.ffn_norm.weight`, ...LAYER_MATRICES.map(([, name]) => `blk.${i}.${name}.weight`));
  }
  return names;
}

/**
 * The data of F32 tensor `name` of a GGUF held in memory, checked against the dims it must have.
 * Copied out, so that it is aligned and does not pin the file's buffer.
 */
export function ggufTensorF32(file: GgufFile, bytes: Uint8Array, name: string, dims: readonly number[]): Float32Array {
  const info = file.tensors.find((x) => x.name === name);
  if (info === undefined) throw new LlamaWeightsError(`tensor ${name} is missing`);
  if (info.type.name !== 'F32') throw new LlamaWeightsError(`tensor ${name} is ${info.type.name}; only F32 is supported`);
  if (info.dims.length !== dims.length || info.dims.some((d, i) => d !== dims[i])) {
    throw new LlamaWeightsError(`tensor ${name} has dims [${info.dims.join(', ')}], want [${dims.join(', ')}]`);
  }
  const start = file.dataOffset + info.offset;
  // Uint8Array's slice copies; a Node Buffer's would share the file's memory (and its offset).
  return new Float32Array(Uint8Array.prototype.slice.call(bytes, start, start + info.byteSize).buffer);
}

/** Reads a whole model GGUF held in memory: configuration from its metadata, weights from its tensors. */
export function llamaWeightsFromGguf(bytes: Uint8Array): LlamaWeights {
  const file = readGguf(bytes);
  const c = llamaConfigFromGgufMetadata(file.metadata);
  const get = (name: string, dims: readonly number[]): Float32Array => ggufTensorF32(file, bytes, name, dims);
  const layers: LlamaLayerWeights[] = [];
  for (let i = 0; i < c.layers; i += 1) {
    const m = (k: LayerMatrix, name: string): Float32Array => get(`blk.${i}.${name}.weight`, layerMatrixDims(c, k));
    layers.push({
      attnNorm: get(`blk.${i}.attn_norm.weight`, [c.dim]),
      wq: m('wq', 'attn_q'), wk: m('wk', 'attn_k'), wv: m('wv', 'attn_v'), wo: m('wo', 'attn_output'),
      ffnNorm: get(`blk.${i}.ffn_norm.weight`, [c.dim]),
      wGate: m('wGate', 'ffn_gate'), wUp: m('wUp', 'ffn_up'), wDown: m('wDown', 'ffn_down'),
    });
  }
  const hasOutput = file.tensors.some((x) => x.name === 'output.weight');
  // A tensor this forward does not know (biases, rope_freqs, …) would change what llama.cpp
  // computes: refuse the file rather than run a different model.
  const known = new Set(llamaWeightsToGgufTensorNames(c, hasOutput));
  const unknown = file.tensors.filter((x) => !known.has(x.name)).map((x) => x.name);
  if (unknown.length > 0) throw new LlamaWeightsError(`unsupported tensors: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`);
  return validateLlamaWeights({
    config: c,
    tokenEmbd: get('token_embd.weight', [c.dim, c.vocabSize]),
    layers,
    outputNorm: get('output_norm.weight', [c.dim]),
    output: hasOutput ? get('output.weight', [c.dim, c.vocabSize]) : null,
  });
}

export interface LlamaGgufOptions {
  /** A GGUF whose `tokenizer.*` keys are copied: e.g. vocabPath('gpt-2') from tokenizer/vocab.ts. */
  readonly tokenizerFrom: string;
  /** general.name; default 'tributary-llama'. */
  readonly name?: string;
}

/** The `tokenizer.*` metadata of a GGUF, checked to hold exactly `vocabSize` tokens. */
export function tokenizerMetadata(path: string, vocabSize: number): Array<[string, GgufValue]> {
  const source = readGgufFile(path);
  const keys = [...source.metadata].filter(([k]) => k.startsWith('tokenizer.'));
  const tokens = source.metadata.get('tokenizer.ggml.tokens');
  if (tokens === undefined || tokens.type !== 'array' || tokens.value.itemType !== 'string') {
    throw new LlamaWeightsError(`${path} has no tokenizer.ggml.tokens string array to copy`);
  }
  if (tokens.value.items.length !== vocabSize) {
    throw new LlamaWeightsError(`${path} has ${tokens.value.items.length} tokens but the model's vocabSize is ${vocabSize}`);
  }
  return keys;
}

/** A complete model GGUF (llama architecture, F32 weights, a copied tokenizer), validated by our reader. */
export function buildLlamaGguf(w: LlamaWeights, options: LlamaGgufOptions): Uint8Array {
  const tensors = llamaWeightsToGgufTensors(w);
  const metadata: Array<[string, GgufValue]> = [
    ...llamaConfigToGgufMetadata(w.config),
    ['general.name', { type: 'string', value: options.name ?? 'tributary-llama' }],
    // LLAMA_FTYPE_ALL_F32.
    ['general.file_type', { type: 'u32', value: 0 }],
    ...tokenizerMetadata(options.tokenizerFrom, w.config.vocabSize),
  ];
  const bytes = writeGguf({ metadata, tensors });
  // Read back before anyone hands it to llama.cpp, whose loader asserts rather than reports.
  const back = readGguf(bytes);
  if (back.tensors.length !== tensors.length) throw new LlamaWeightsError('the written GGUF does not read back with all its tensors');
  return bytes;
}

/** Writes `bytes` to `path` through a temporary file renamed into place: a reader never sees half a file. */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Builds the model GGUF and writes it to `path`. */
export function writeLlamaGguf(path: string, w: LlamaWeights, options: LlamaGgufOptions): void {
  writeFileAtomic(path, buildLlamaGguf(w, options));
}
