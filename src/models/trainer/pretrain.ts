// Pretraining a small llama from scratch on TensorFlow.js: every weight trained (Adam),
// embeddings tied to the output projection, on text the caller provides. This is how the
// project makes its demo base model; it is sized for small models on one CPU thread, not
// for real pretraining. Deterministic for a seed, like the LoRA trainer.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Tokenizer } from '../../tokenizer/tokenizer.ts';
import { prng } from '../../random/prng.ts';
import type { LlamaConfig } from '../llama/config.ts';
import type { FrozenMatrix, LlamaLayerTensors, LlamaTensors } from '../llama/forward.ts';
import { initTfjs, tf } from '../llama/tfjs.ts';
import { initLlamaWeights, layerMatrixDims, LAYER_MATRICES, type LayerMatrix, type LlamaLayerWeights, type LlamaWeights, writeLlamaGguf } from '../llama/weights.ts';
import type { CurvePoint } from './lossCurve.ts';
import { windowNll } from './loss.ts';

export interface PretrainOptions {
  config: LlamaConfig;
  /** Training text, one document per entry. */
  documents: readonly string[];
  tokenizer: Tokenizer;
  eos: number;
  steps: number;
  batchSize: number;
  sequenceLength: number;
  learningRate: number;
  seed: number;
  /** The GGUF whose tokenizer keys the model carries (e.g. vocabPath('gpt-2')). */
  tokenizerFrom: string;
  name: string;
  outPath: string;
  onStep?(step: number, steps: number, loss: number): void;
}

export async function pretrainLlama(o: PretrainOptions): Promise<{ path: string; hash: string; curve: CurvePoint[] }> {
  await initTfjs();
  const stream: number[] = [];
  for (const d of o.documents) {
    for (const id of o.tokenizer.encode(d).ids) stream.push(id);
    stream.push(o.eos);
  }
  const windows: number[][] = [];
  for (let s = 0; s + o.sequenceLength + 1 <= stream.length; s += o.sequenceLength) windows.push(stream.slice(s, s + o.sequenceLength + 1));
  if (windows.length === 0) throw new RangeError('the pretraining text is shorter than one sequence');

  const init = initLlamaWeights(o.config, { seed: o.seed, tied: true, logitStd: 1 });
  const c = init.config;
  // Small embeddings (as GPT-2 initialises them): tied to the output, unit-scale rows would
  // start the logits with a spread of sqrt(dim) and the loss far above log(vocab).
  for (let i = 0; i < init.tokenEmbd.length; i++) init.tokenEmbd[i] *= 0.05;
  // Host matrices are stored [out][in] (llama.cpp's layout); the forward multiplies x·W with W as [in, out].
  const matrix = (data: Float32Array, k: LayerMatrix) => {
    const [inDim, outDim] = layerMatrixDims(c, k);
    return tf.variable(tf.tidy(() => tf.transpose(tf.tensor2d(data, [outDim, inDim]))) as tf.Tensor2D);
  };
  const embd = tf.variable(tf.tensor2d(init.tokenEmbd, [c.vocabSize, c.dim]));
  const outputNorm = tf.variable(tf.tensor1d(init.outputNorm));
  const layers = init.layers.map((l) => ({
    attnNorm: tf.variable(tf.tensor1d(l.attnNorm)),
    ffnNorm: tf.variable(tf.tensor1d(l.ffnNorm)),
    m: Object.fromEntries(LAYER_MATRICES.map(([k]) => [k, matrix(l[k], k)])) as Record<LayerMatrix, tf.Variable<tf.Rank.R2>>,
  }));
  const trainable = (w: tf.Tensor2D): FrozenMatrix => ({ w, wT: w, trainable: true });
  const model = (): LlamaTensors => ({
    config: c,
    tokenEmbd: embd,
    embedByProduct: true,
    layers: layers.map((l): LlamaLayerTensors => ({
      attnNorm: l.attnNorm,
      ffnNorm: l.ffnNorm,
      wq: trainable(l.m.wq),
      wk: trainable(l.m.wk),
      wv: trainable(l.m.wv),
      wo: trainable(l.m.wo),
      wGate: trainable(l.m.wGate),
      wUp: trainable(l.m.wUp),
      wDown: trainable(l.m.wDown),
    })),
    outputNorm,
    // Tied: the output projection is the embedding, transposed.
    output: trainable(tf.transpose(embd) as tf.Tensor2D),
  });
  const vars: tf.Variable[] = [embd, outputNorm, ...layers.flatMap((l) => [l.attnNorm, l.ffnNorm, ...Object.values(l.m)])];
  const optimizer = tf.train.adam(o.learningRate);
  const pick = prng(o.seed ^ 0x9e3779b9);
  const curve: CurvePoint[] = [];
  try {
    for (let step = 0; step < o.steps; step++) {
      // Cosine decay to a tenth of the rate: a short run still settles.
      const lr = o.learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos((Math.PI * step) / o.steps)));
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const batch = Array.from({ length: o.batchSize }, () => windows[Math.floor(pick() * windows.length)]);
      const tokens = batch.reduce((s, w) => s + w.length - 1, 0);
      const cost = optimizer.minimize(() => {
        const m = model();
        return tf.div(batch.map((w) => windowNll(m, w)).reduce((a, b) => tf.add(a, b)), tokens) as tf.Scalar;
      }, true, vars)!;
      const loss = (await cost.data())[0];
      cost.dispose();
      curve.push({ step: step + 1, loss });
      o.onStep?.(step + 1, o.steps, loss);
    }
    const host = async (v: tf.Tensor) => (await v.data()) as Float32Array;
    const back = async (v: tf.Variable) => {
      const t = tf.transpose(v);
      const d = await host(t);
      t.dispose();
      return d;
    };
    const trained: LlamaWeights = {
      config: c,
      tokenEmbd: await host(embd),
      layers: await Promise.all(
        layers.map(async (l): Promise<LlamaLayerWeights> => {
          const m = {} as Record<LayerMatrix, Float32Array>;
          for (const [k] of LAYER_MATRICES) m[k] = await back(l.m[k]);
          return { attnNorm: await host(l.attnNorm), ffnNorm: await host(l.ffnNorm), ...m };
        }),
      ),
      outputNorm: await host(outputNorm),
      output: null,
    };
    writeLlamaGguf(o.outPath, trained, { tokenizerFrom: o.tokenizerFrom, name: o.name });
    return { path: o.outPath, hash: '0x' + createHash('sha256').update(readFileSync(o.outPath)).digest('hex'), curve };
  } finally {
    optimizer.dispose();
    for (const v of vars) v.dispose();
  }
}
