// The llama forward pass on TensorFlow.js, computing what llama.cpp computes for the same GGUF:
// token embedding; per block RMSNorm → attention (RoPE on adjacent pairs, causal softmax,
// grouped-query heads) → residual, RMSNorm → SwiGLU feed-forward → residual; final RMSNorm and
// the output projection to logits. LoRA adapters add s·(x·A)·B to the projections they target.
// It is written for training: every op on the path from a LoRA tensor to the logits has a
// gradient (tfjs' own, registered by importing tfjs.ts), matrix products go through ops.ts (no
// transposed matMul on wasm), base weights are frozen (no gradient is ever computed for them,
// and none exists for the embedding lookup) while LoRA tensors may be tf.Variables. Each base
// matrix is held twice, as W and Wᵀ, trading memory for a transpose-free backward pass.
// It must never differ from llama.cpp in anything but float rounding (forward.test.ts holds it
// to llama.cpp's probabilities), and never leak tensors: everything intermediate is tidied.
import { headDim, validateLlamaConfig, type LlamaConfig } from './config.ts';
import { LORA_TARGET_MATRIX, LORA_TARGETS, loraScale, validateLoraWeights, type LoraConfig, type LoraTarget, type LoraWeights } from './lora.ts';
import { causalMask, matMul, matMulFrozen, repeatKv, rmsNorm, rope, ropeTables } from './ops.ts';
import { tf } from './tfjs.ts';
import { layerMatrixDims, LAYER_MATRICES, validateLlamaWeights, type LayerMatrix, type LlamaWeights } from './weights.ts';

/** A projection on the device: W as [in, out] for the forward product, and Wᵀ for the backward one. */
export interface FrozenMatrix {
  readonly w: tf.Tensor2D;
  readonly wT: tf.Tensor2D;
  /** Pretraining only: differentiate in W as well (W is then a variable, and wT is unused). */
  readonly trainable?: boolean;
}

/** x·W, differentiable in W only when the matrix is being pretrained. */
function product(x: tf.Tensor, m: FrozenMatrix): tf.Tensor {
  return m.trainable ? matMul(x, m.w) : matMulFrozen(x, m.w, m.wT);
}

export interface LlamaLayerTensors {
  readonly attnNorm: tf.Tensor1D;
  readonly ffnNorm: tf.Tensor1D;
  readonly wq: FrozenMatrix;
  readonly wk: FrozenMatrix;
  readonly wv: FrozenMatrix;
  readonly wo: FrozenMatrix;
  readonly wGate: FrozenMatrix;
  readonly wUp: FrozenMatrix;
  readonly wDown: FrozenMatrix;
}

/** A model uploaded to tfjs. Dispose it with disposeLlamaTensors. */
export interface LlamaTensors {
  readonly config: LlamaConfig;
  /** [vocab, dim] */
  readonly tokenEmbd: tf.Tensor2D;
  /**
   * Pretraining only: look tokens up as a one-hot product, which is differentiable in the
   * embedding on the wasm backend (the gather gradient needs a kernel wasm lacks).
   */
  readonly embedByProduct?: boolean;
  readonly layers: readonly LlamaLayerTensors[];
  readonly outputNorm: tf.Tensor1D;
  /** The output projection (the embedding when tied): w is [dim, vocab]. */
  readonly output: FrozenMatrix;
}

/** One adapted projection: A as [in, rank] and B as [rank, out] (the transposes of the GGUF data). */
export interface LoraPairTensors {
  readonly a: tf.Tensor2D;
  readonly b: tf.Tensor2D;
}

export interface LoraTensors {
  readonly config: LoraConfig;
  /** The factor applied to (x·A)·B: loraScale(config, userScale). */
  readonly scale: number;
  readonly layers: ReadonlyArray<Readonly<Partial<Record<LoraTarget, LoraPairTensors>>>>;
}

/** Host [out][in] data → the [in, out] matrix and its [out, in] transpose, both kept. */
function frozen(data: Float32Array, inDim: number, outDim: number): FrozenMatrix {
  const wT = tf.keep(tf.tensor2d(data, [outDim, inDim]));
  const w = tf.keep(tf.transpose(wT) as tf.Tensor2D);
  return { w, wT };
}

/** Uploads host weights to tfjs (transposing each matrix once). */
export function uploadLlamaWeights(weights: LlamaWeights): LlamaTensors {
  const c = validateLlamaWeights(weights).config;
  // tidy disposes the untransposed uploads; what is kept survives it. (tidy can only return
  // tensors, hence the assignment.)
  let result: LlamaTensors | undefined;
  tf.tidy(() => {
    const vec = (a: Float32Array): tf.Tensor1D => tf.keep(tf.tensor1d(a));
    const layers = weights.layers.map((l): LlamaLayerTensors => {
      const m = (k: LayerMatrix): FrozenMatrix => {
        const [inDim, outDim] = layerMatrixDims(c, k);
        return frozen(l[k], inDim, outDim);
      };
      return {
        attnNorm: vec(l.attnNorm), ffnNorm: vec(l.ffnNorm),
        wq: m('wq'), wk: m('wk'), wv: m('wv'), wo: m('wo'), wGate: m('wGate'), wUp: m('wUp'), wDown: m('wDown'),
      };
    });
    const tokenEmbd = tf.keep(tf.tensor2d(weights.tokenEmbd, [c.vocabSize, c.dim]));
    // Tied: the output's [vocab, dim] transpose is the embedding itself, shared rather than copied.
    const output = weights.output === null
      ? { wT: tokenEmbd, w: tf.keep(tf.transpose(tokenEmbd) as tf.Tensor2D) }
      : frozen(weights.output, c.dim, c.vocabSize);
    result = { config: c, tokenEmbd, layers, outputNorm: vec(weights.outputNorm), output };
  });
  return result!;
}

export function disposeLlamaTensors(t: LlamaTensors): void {
  const all = new Set<tf.Tensor>([t.tokenEmbd, t.outputNorm, t.output.w, t.output.wT]);
  for (const l of t.layers) {
    all.add(l.attnNorm).add(l.ffnNorm);
    for (const [k] of LAYER_MATRICES) all.add(l[k].w).add(l[k].wT);
  }
  for (const x of all) x.dispose();
}

/**
 * Uploads an adapter. With `trainable`, A and B are tf.Variables (what a trainer optimises);
 * otherwise plain tensors. `userScale` is node-llama-cpp's adapter `scale` (default 1).
 */
export function uploadLora(model: LlamaConfig, weights: LoraWeights, options: { userScale?: number; trainable?: boolean } = {}): LoraTensors {
  const c = validateLoraWeights(model, weights).config;
  let layers: Array<Partial<Record<LoraTarget, LoraPairTensors>>> = [];
  tf.tidy(() => {
    layers = weights.layers.map((layer, i) => {
      const out: Partial<Record<LoraTarget, LoraPairTensors>> = {};
      for (const t of LORA_TARGETS) {
        const pair = layer[t];
        if (pair === undefined) continue;
        const [inDim, outDim] = layerMatrixDims(model, LORA_TARGET_MATRIX[t].matrix);
        const a = tf.transpose(tf.tensor2d(pair.a, [c.rank, inDim])) as tf.Tensor2D;
        const b = tf.transpose(tf.tensor2d(pair.b, [outDim, c.rank])) as tf.Tensor2D;
        out[t] = options.trainable
          ? { a: tf.variable(a, true, `lora.${i}.${t}.a`), b: tf.variable(b, true, `lora.${i}.${t}.b`) }
          : { a: tf.keep(a), b: tf.keep(b) };
      }
      return out;
    });
  });
  return { config: c, scale: loraScale(c, options.userScale ?? 1), layers };
}

/** Reads an adapter back from tfjs into host arrays in GGUF layout (e.g. after training, to write it). */
export async function downloadLora(model: LlamaConfig, t: LoraTensors): Promise<LoraWeights> {
  const layers = await Promise.all(
    t.layers.map(async (layer) => {
      const out: Partial<Record<LoraTarget, { a: Float32Array; b: Float32Array }>> = {};
      for (const target of LORA_TARGETS) {
        const pair = layer[target];
        if (pair === undefined) continue;
        const [aT, bT] = tf.tidy(() => [tf.transpose(pair.a), tf.transpose(pair.b)]);
        out[target] = { a: (await aT!.data()) as Float32Array, b: (await bT!.data()) as Float32Array };
        aT!.dispose();
        bT!.dispose();
      }
      return out;
    }),
  );
  return validateLoraWeights(model, { config: t.config, layers });
}

export function disposeLora(t: LoraTensors): void {
  for (const layer of t.layers) for (const pair of Object.values(layer)) {
    pair?.a.dispose();
    pair?.b.dispose();
  }
}

/** x·W, plus s·(x·A)·B when the adapter targets this projection in this layer. */
function project(x: tf.Tensor, m: FrozenMatrix, lora: LoraTensors | undefined, layer: number, target: LoraTarget): tf.Tensor {
  const base = product(x, m);
  const pair = lora?.layers[layer]?.[target];
  if (pair === undefined) return base;
  return tf.add(base, tf.mul(matMul(matMul(x, pair.a), pair.b), lora!.scale));
}

/** [seq, heads·hd] → [heads, seq, hd] */
function splitHeads(x: tf.Tensor, seq: number, heads: number, hd: number): tf.Tensor {
  return tf.transpose(tf.reshape(x, [seq, heads, hd]), [1, 0, 2]);
}

/**
 * Logits [tokens.length, vocabSize] for every position of `tokens` (position 0 first, no cache):
 * row p predicts the token after tokens[p]. The caller owns (and disposes) the result.
 */
export function forward(model: LlamaTensors, tokens: readonly number[], lora?: LoraTensors): tf.Tensor2D {
  const c = validateLlamaConfig(model.config);
  const seq = tokens.length;
  if (seq === 0) throw new RangeError('forward needs at least one token');
  if (seq > c.contextLength) throw new RangeError(`${seq} tokens exceed the context length ${c.contextLength}`);
  for (const t of tokens) if (!Number.isInteger(t) || t < 0 || t >= c.vocabSize) throw new RangeError(`token ${t} is outside the vocabulary [0, ${c.vocabSize})`);
  if (lora !== undefined && lora.layers.length !== c.layers) throw new RangeError(`the adapter has ${lora.layers.length} layers, the model ${c.layers}`);
  const hd = headDim(c);
  const groups = c.heads / c.kvHeads;
  const kqScale = 1 / Math.sqrt(hd);

  return tf.tidy(() => {
    const tables = ropeTables(seq, hd, c.ropeTheta);
    const mask = causalMask(seq);
    const ids = tf.tensor1d(Array.from(tokens), 'int32');
    let h: tf.Tensor = model.embedByProduct ? matMul(tf.oneHot(ids, c.vocabSize).toFloat(), model.tokenEmbd) : tf.gather(model.tokenEmbd, ids);
    model.layers.forEach((layer, i) => {
      // Attention.
      const xn = rmsNorm(h, layer.attnNorm, c.rmsEps);
      const q = rope(splitHeads(project(xn, layer.wq, lora, i, 'q'), seq, c.heads, hd), tables);
      const k = repeatKv(rope(splitHeads(project(xn, layer.wk, lora, i, 'k'), seq, c.kvHeads, hd), tables), groups);
      const v = repeatKv(splitHeads(project(xn, layer.wv, lora, i, 'v'), seq, c.kvHeads, hd), groups);
      const scores = tf.add(tf.mul(matMul(q, tf.transpose(k, [0, 2, 1])), kqScale), mask);
      const attn = matMul(tf.softmax(scores), v); // [heads, seq, hd]
      const merged = tf.reshape(tf.transpose(attn, [1, 0, 2]), [seq, c.dim]);
      h = tf.add(h, project(merged, layer.wo, lora, i, 'o'));
      // SwiGLU feed-forward.
      const fn = rmsNorm(h, layer.ffnNorm, c.rmsEps);
      const gate = project(fn, layer.wGate, lora, i, 'gate');
      const up = project(fn, layer.wUp, lora, i, 'up');
      h = tf.add(h, project(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up), layer.wDown, lora, i, 'down'));
    });
    const out = rmsNorm(h, model.outputNorm, c.rmsEps);
    return product(out, model.output) as tf.Tensor2D;
  });
}
