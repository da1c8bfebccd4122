// LoRA adapters for a llama model, host side: which projections they target, their rank and
// alpha, seeded initialisation, the scale llama.cpp applies, and conversion to and from an
// adapter GGUF that llama.cpp (node-llama-cpp's `lora` context option) loads.
// Maths: a targeted projection y = W·x becomes y = W·x + s·B·(A·x), with A of shape [rank][in],
// B of shape [out][rank] (PEFT's lora_A / lora_B), and s = user scale × alpha / rank — or the
// user scale alone when alpha is 0, which is llama.cpp's rule for an adapter without alpha.
// In GGUF, A is `blk.N.<proj>.weight.lora_a` with dims [in, rank] and B is `.lora_b` with dims
// [rank, out] (innermost first), which is the row-major data held here, so nothing transposes.
// It must never write an adapter our reader rejects or whose shapes do not fit the base model
// (llama.cpp refuses those at load, or worse), and never hold anything but F32.
import { readGguf } from '../../gguf/reader.ts';
import { writeGguf, type GgufTensorInput } from '../../gguf/writer.ts';
import { optionalScalar, requireScalar } from '../../gguf/metadata.ts';
import type { GgufValue } from '../../gguf/types.ts';
import { prng } from '../../random/prng.ts';
import { validateLlamaConfig, type LlamaConfig } from './config.ts';
import { gaussianArray, ggufTensorF32, layerMatrixDims, writeFileAtomic, type LayerMatrix } from './weights.ts';

export const LORA_TARGETS = ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

/** The base weight each target adapts, and its GGUF tensor name stem. */
export const LORA_TARGET_MATRIX: Readonly<Record<LoraTarget, { readonly matrix: LayerMatrix; readonly tensor: string }>> = {
  q: { matrix: 'wq', tensor: 'attn_q' },
  k: { matrix: 'wk', tensor: 'attn_k' },
  v: { matrix: 'wv', tensor: 'attn_v' },
  o: { matrix: 'wo', tensor: 'attn_output' },
  gate: { matrix: 'wGate', tensor: 'ffn_gate' },
  up: { matrix: 'wUp', tensor: 'ffn_up' },
  down: { matrix: 'wDown', tensor: 'ffn_down' },
};

export interface LoraConfig {
  readonly rank: number;
  /** 0 means "no alpha": llama.cpp then scales by the user scale alone. */
  readonly alpha: number;
  readonly targets: readonly LoraTarget[];
}

export interface LoraPair {
  /** [rank][in] */
  readonly a: Float32Array;
  /** [out][rank] */
  readonly b: Float32Array;
}

export interface LoraWeights {
  readonly config: LoraConfig;
  /** One entry per model layer; a target absent from a layer leaves that projection unadapted. */
  readonly layers: ReadonlyArray<Readonly<Partial<Record<LoraTarget, LoraPair>>>>;
}

export class LoraError extends Error {
  override readonly name = 'LoraError';
}

export function validateLoraConfig(c: LoraConfig): LoraConfig {
  if (!Number.isInteger(c.rank) || c.rank < 1) throw new LoraError(`rank must be a positive integer, got ${String(c.rank)}`);
  if (!(typeof c.alpha === 'number' && Number.isFinite(c.alpha) && c.alpha >= 0)) throw new LoraError(`alpha must be a finite number ≥ 0, got ${String(c.alpha)}`);
  // Stored as f32: the TypeScript scale must be the one llama.cpp reads back.
  if (Math.fround(c.alpha) !== c.alpha) throw new LoraError(`alpha (${c.alpha}) is not exactly representable as f32; use Math.fround`);
  if (c.targets.length === 0) throw new LoraError('an adapter needs at least one target');
  for (const t of c.targets) if (!LORA_TARGETS.includes(t)) throw new LoraError(`unknown target ${JSON.stringify(t)}; targets are ${LORA_TARGETS.join(', ')}`);
  if (new Set(c.targets).size !== c.targets.length) throw new LoraError(`targets repeat: ${c.targets.join(', ')}`);
  return c;
}

/** The factor llama.cpp multiplies B·A·x by (llama-graph.cpp: alpha ? scale·alpha/rank : scale). */
export function loraScale(c: LoraConfig, userScale = 1): number {
  return c.alpha === 0 ? userScale : (userScale * c.alpha) / c.rank;
}

/** [in, out] of the projection a target adapts. */
export function loraTargetDims(model: LlamaConfig, t: LoraTarget): readonly [number, number] {
  return layerMatrixDims(model, LORA_TARGET_MATRIX[t].matrix);
}

/** Checks every pair's lengths against the base model and the rank. */
export function validateLoraWeights(model: LlamaConfig, w: LoraWeights): LoraWeights {
  validateLlamaConfig(model);
  const c = validateLoraConfig(w.config);
  if (w.layers.length !== model.layers) throw new LoraError(`the adapter has ${w.layers.length} layers, the model ${model.layers}`);
  w.layers.forEach((layer, i) => {
    for (const [t, pair] of Object.entries(layer) as Array<[LoraTarget, LoraPair | undefined]>) {
      if (pair === undefined) continue;
      if (!c.targets.includes(t)) throw new LoraError(`layer ${i} adapts ${t}, which is not among the targets ${c.targets.join(', ')}`);
      const [inDim, outDim] = loraTargetDims(model, t);
      if (!(pair.a instanceof Float32Array) || pair.a.length !== c.rank * inDim) throw new LoraError(`layer ${i} ${t}: A must be a Float32Array of ${c.rank}×${inDim}`);
      if (!(pair.b instanceof Float32Array) || pair.b.length !== outDim * c.rank) throw new LoraError(`layer ${i} ${t}: B must be a Float32Array of ${outDim}×${c.rank}`);
    }
  });
  return w;
}

export interface LoraInitOptions {
  readonly seed: number;
  /**
   * Standard deviation of B. Default 0, the usual LoRA start (the adapter is a no-op until
   * trained); a test gives it a value so that the adapter visibly changes the output.
   */
  readonly bStd?: number;
}

/** A uniform(±1/sqrt(in)) (PEFT's Kaiming-uniform bound), B as the options say; every target in every layer. */
export function initLoraWeights(model: LlamaConfig, config: LoraConfig, options: LoraInitOptions): LoraWeights {
  validateLlamaConfig(model);
  const c = validateLoraConfig(config);
  const rand = prng(options.seed);
  const bStd = options.bStd ?? 0;
  const layers: Array<Partial<Record<LoraTarget, LoraPair>>> = [];
  for (let l = 0; l < model.layers; l += 1) {
    const layer: Partial<Record<LoraTarget, LoraPair>> = {};
    for (const t of c.targets) {
      const [inDim, outDim] = loraTargetDims(model, t);
      const bound = 1 / Math.sqrt(inDim);
      const a = new Float32Array(c.rank * inDim);
      for (let i = 0; i < a.length; i += 1) a[i] = (2 * rand() - 1) * bound;
      const b = bStd > 0 ? gaussianArray(rand, outDim * c.rank, bStd) : new Float32Array(outDim * c.rank);
      layer[t] = { a, b };
    }
    layers.push(layer);
  }
  return { config: c, layers };
}

/** An adapter GGUF: general.type = adapter, adapter.type = lora, alpha, and the A/B tensors in F32. */
export function buildLoraGguf(model: LlamaConfig, w: LoraWeights, options: { name?: string } = {}): Uint8Array {
  const c = validateLoraWeights(model, w).config;
  const metadata: Array<[string, GgufValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.type', { type: 'string', value: 'adapter' }],
    ['general.name', { type: 'string', value: options.name ?? 'tributary-lora' }],
    ['adapter.type', { type: 'string', value: 'lora' }],
    ['adapter.lora.alpha', { type: 'f32', value: c.alpha }],
  ];
  const tensors: GgufTensorInput[] = [];
  const bytes = (a: Float32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  w.layers.forEach((layer, i) => {
    for (const t of LORA_TARGETS) {
      const pair = layer[t];
      if (pair === undefined) continue;
      const [inDim, outDim] = loraTargetDims(model, t);
      const stem = `blk.${i}.${LORA_TARGET_MATRIX[t].tensor}.weight`;
      tensors.push({ name: `${stem}.lora_a`, dims: [inDim, c.rank], type: 'F32', data: bytes(pair.a) });
      tensors.push({ name: `${stem}.lora_b`, dims: [c.rank, outDim], type: 'F32', data: bytes(pair.b) });
    }
  });
  if (tensors.length === 0) throw new LoraError('the adapter adapts nothing');
  const out = writeGguf({ metadata, tensors });
  readGguf(out); // llama.cpp asserts on a malformed file; our reader reports.
  return out;
}

export function writeLoraGguf(path: string, model: LlamaConfig, w: LoraWeights, options: { name?: string } = {}): void {
  writeFileAtomic(path, buildLoraGguf(model, w, options));
}

/** Reads an adapter GGUF held in memory, checking it against the base model's configuration. */
export function loraWeightsFromGguf(model: LlamaConfig, bytes: Uint8Array): LoraWeights {
  const file = readGguf(bytes);
  if (requireScalar(file.metadata, 'general.type', 'string') !== 'adapter') throw new LoraError('general.type is not "adapter"');
  if (requireScalar(file.metadata, 'adapter.type', 'string') !== 'lora') throw new LoraError('adapter.type is not "lora"');
  const arch = requireScalar(file.metadata, 'general.architecture', 'string');
  if (arch !== 'llama') throw new LoraError(`the adapter is for ${JSON.stringify(arch)}, not llama`);
  const alpha = optionalScalar(file.metadata, 'adapter.lora.alpha', 'f32') ?? 0;
  const byName = new Map<string, { layer: number; target: LoraTarget; part: 'a' | 'b' }>();
  for (let l = 0; l < model.layers; l += 1) {
    for (const t of LORA_TARGETS) {
      const stem = `blk.${l}.${LORA_TARGET_MATRIX[t].tensor}.weight`;
      byName.set(`${stem}.lora_a`, { layer: l, target: t, part: 'a' });
      byName.set(`${stem}.lora_b`, { layer: l, target: t, part: 'b' });
    }
  }
  let rank: number | undefined;
  const found = new Map<string, { layer: number; target: LoraTarget }>();
  for (const info of file.tensors) {
    const at = byName.get(info.name);
    if (at === undefined) throw new LoraError(`unsupported adapter tensor ${info.name}`);
    const r = at.part === 'a' ? info.dims[1] : info.dims[0];
    if (r === undefined) throw new LoraError(`tensor ${info.name} has no rank dimension`);
    if (rank !== undefined && r !== rank) throw new LoraError(`tensor ${info.name} has rank ${r}, others ${rank}`);
    rank = r;
    found.set(`${at.layer}.${at.target}`, at);
  }
  if (rank === undefined) throw new LoraError('the adapter has no tensors');
  const r = rank;
  const layers: Array<Partial<Record<LoraTarget, LoraPair>>> = Array.from({ length: model.layers }, () => ({}));
  const targets = new Set<LoraTarget>();
  for (const { layer, target } of found.values()) {
    const [inDim, outDim] = loraTargetDims(model, target);
    const stem = `blk.${layer}.${LORA_TARGET_MATRIX[target].tensor}.weight`;
    layers[layer]![target] = {
      a: ggufTensorF32(file, bytes, `${stem}.lora_a`, [inDim, r]),
      b: ggufTensorF32(file, bytes, `${stem}.lora_b`, [r, outDim]),
    };
    targets.add(target);
  }
  const config: LoraConfig = { rank: r, alpha, targets: LORA_TARGETS.filter((t) => targets.has(t)) };
  return validateLoraWeights(model, { config, layers });
}
