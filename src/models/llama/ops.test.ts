// Tests of ops.ts and of forward.ts as something to train through: the custom matMul gradients
// equal plain-JS products, the frozen product gives no weight gradient, RoPE is llama.cpp's pairwise
// rotation, the gradient of a loss through the whole forward with respect to LoRA variables
// matches finite differences, and forward leaks no tensors.
import { beforeAll, describe, expect, test } from 'vitest';
import { prng } from '../../random/prng.ts';
import type { LlamaConfig } from './config.ts';
import { disposeLlamaTensors, disposeLora, downloadLora, forward, uploadLlamaWeights, uploadLora } from './forward.ts';
import { initLoraWeights } from './lora.ts';
import { matMul, matMulFrozen, repeatKv, rope, ropeTables } from './ops.ts';
import { initTfjs, tf } from './tfjs.ts';
import { gaussianArray, initLlamaWeights } from './weights.ts';

beforeAll(async () => {
  await initTfjs();
});

function randn(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(gaussianArray(prng(seed), shape.reduce((a, b) => a * b, 1), 1), shape);
}

/** Plain-JS A·B over the last two axes (batched over the first when rank 3), in float64. */
function referenceMatMul(a: Float32Array, b: Float32Array, batch: number, n: number, k: number, m: number): Float64Array {
  const out = new Float64Array(batch * n * m);
  for (let z = 0; z < batch; z += 1) for (let i = 0; i < n; i += 1) for (let j = 0; j < m; j += 1) {
    let s = 0;
    for (let t = 0; t < k; t += 1) s += a[(z * n + i) * k + t]! * b[(z * k + t) * m + j]!;
    out[(z * n + i) * m + j] = s;
  }
  return out;
}

/** Plain-JS transpose of the last two axes. */
function referenceTranspose(a: Float32Array, batch: number, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let z = 0; z < batch; z += 1) for (let i = 0; i < rows; i += 1) for (let j = 0; j < cols; j += 1) out[(z * cols + j) * rows + i] = a[(z * rows + i) * cols + j]!;
  return out;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i += 1) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? m : Infinity;
}

describe('matMul with explicit-transpose gradients', () => {
  for (const [name, batch, n, k, m] of [['rank 2', 0, 5, 7, 3], ['rank 3 (batched)', 4, 5, 6, 5]] as const) {
    test(`${name}: value, dA = dC·Bᵀ and dB = Aᵀ·dC`, async () => {
      const lead = batch === 0 ? [] : [batch];
      const z = Math.max(batch, 1);
      const a = randn([...lead, n, k], 1);
      const b = randn([...lead, k, m], 2);
      const dy = randn([...lead, n, m], 3);
      const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(matMul(x, y), dy)))([a, b]);
      const [av, bv, dv] = (await Promise.all([a.data(), b.data(), dy.data()])) as Float32Array[];
      expect(maxDiff((await matMul(a, b).data()) as Float32Array, referenceMatMul(av!, bv!, z, n, k, m))).toBeLessThan(1e-4);
      expect(maxDiff((await ga!.data()) as Float32Array, referenceMatMul(dv!, referenceTranspose(bv!, z, k, m), z, n, m, k))).toBeLessThan(1e-4);
      expect(maxDiff((await gb!.data()) as Float32Array, referenceMatMul(referenceTranspose(av!, z, n, k), dv!, z, k, n, m))).toBeLessThan(1e-4);
    });
  }

  test('matMulFrozen: dx = dy·Wᵀ, and no gradient for W', async () => {
    const x = randn([6, 8], 4);
    const w = randn([8, 5], 5);
    const dy = randn([6, 5], 6);
    const [ours] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(matMulFrozen(t, w), dy)))([x]);
    const [withT] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(matMulFrozen(t, w, tf.transpose(w)), dy)))([x]);
    const [wv, dv] = (await Promise.all([w.data(), dy.data()])) as Float32Array[];
    const want = referenceMatMul(dv!, referenceTranspose(wv!, 1, 8, 5), 1, 6, 5, 8);
    expect(maxDiff((await ours!.data()) as Float32Array, want)).toBeLessThan(1e-4);
    expect(maxDiff((await withT!.data()) as Float32Array, want)).toBeLessThan(1e-4);
    // W is not an input of the op: asking for its gradient finds no path.
    expect(() => tf.grads((t: tf.Tensor) => tf.sum(matMulFrozen(x, t)))([w])).toThrow();
  });

  test('repeatKv: head j reads head floor(j / groups); the gradient sums each group', async () => {
    const x = randn([2, 3, 4], 8);
    const y = repeatKv(x, 3);
    expect(y.shape).toEqual([6, 3, 4]);
    const [xv, yv] = (await Promise.all([x.data(), y.data()])) as Float32Array[];
    for (let j = 0; j < 6; j += 1) expect(maxDiff(yv!.subarray(j * 12, (j + 1) * 12), xv!.subarray(Math.floor(j / 3) * 12, (Math.floor(j / 3) + 1) * 12))).toBe(0);
    const dy = randn([6, 3, 4], 9);
    const [g] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(repeatKv(t, 3), dy)))([x]);
    const dv = (await dy.data()) as Float32Array;
    const want = new Float32Array(24).map((_, i) => dv[Math.floor(i / 12) * 36 + (i % 12)]! + dv[Math.floor(i / 12) * 36 + 12 + (i % 12)]! + dv[Math.floor(i / 12) * 36 + 24 + (i % 12)]!);
    expect(maxDiff((await g!.data()) as Float32Array, want)).toBeLessThan(1e-5);
  });
});

test("rope rotates adjacent pairs by pos·base^(−2i/d), as llama.cpp's normal RoPE", async () => {
  const [heads, seq, hd, base] = [2, 5, 8, 10000];
  const x = randn([heads, seq, hd], 7);
  const tables = ropeTables(seq, hd, base);
  const got = (await rope(x, tables).data()) as Float32Array;
  const xs = (await x.data()) as Float32Array;
  let max = 0;
  for (let h = 0; h < heads; h += 1) for (let p = 0; p < seq; p += 1) for (let i = 0; i < hd / 2; i += 1) {
    const at = (h * seq + p) * hd + 2 * i;
    const theta = p * Math.pow(base, (-2 * i) / hd);
    const [a, b] = [xs[at]!, xs[at + 1]!];
    max = Math.max(max, Math.abs(got[at]! - (a * Math.cos(theta) - b * Math.sin(theta))), Math.abs(got[at + 1]! - (a * Math.sin(theta) + b * Math.cos(theta))));
  }
  expect(max).toBeLessThan(1e-5);
});

describe('training through forward', () => {
  const config: LlamaConfig = { vocabSize: 50, dim: 16, layers: 2, heads: 4, kvHeads: 2, ffnDim: 32, contextLength: 16, rmsEps: Math.fround(1e-5), ropeTheta: 10000 };
  const tokens = [3, 14, 15, 9, 2, 6, 5];

  test('LoRA gradients of the next-token loss match central differences', async () => {
    const model = uploadLlamaWeights(initLlamaWeights(config, { seed: 11 }));
    const lora = uploadLora(config, initLoraWeights(config, { rank: 2, alpha: 4, targets: ['q', 'v', 'down'] }, { seed: 12, bStd: 0.1 }), { trainable: true });
    const targets = tf.oneHot(tf.tensor1d(tokens.slice(1), 'int32'), config.vocabSize);
    const loss = (): tf.Scalar => tf.tidy(() => {
      const logits = tf.slice(forward(model, tokens, lora), [0, 0], [tokens.length - 1, config.vocabSize]);
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), -1))) as tf.Scalar;
    });
    const { value, grads } = tf.variableGrads(loss);
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    // Elements of A and B in both layers (layer 0's gradient also flows back through layer 1).
    const checks = [lora.layers[0]!.q!.a, lora.layers[0]!.down!.b, lora.layers[1]!.v!.a, lora.layers[1]!.v!.b] as tf.Variable[];
    for (const v of checks) {
      const g = (await grads[v.name]!.data()) as Float32Array;
      const original = (await v.data()) as Float32Array;
      const i = 1;
      const h = 1e-2;
      const at = async (delta: number): Promise<number> => {
        const moved = original.slice();
        moved[i] = original[i]! + delta;
        v.assign(tf.tensor(moved, v.shape));
        const l = loss();
        const out = (await l.data())[0]!;
        l.dispose();
        return out;
      };
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      v.assign(tf.tensor(original, v.shape));
      expect(Math.abs(g[i]! - numeric)).toBeLessThan(1e-4 + 1e-3 * Math.abs(numeric));
      expect(Math.abs(numeric)).toBeGreaterThan(1e-2); // the check must not pass on two near-zeros
    }
    // Trained values come back in GGUF layout.
    const back = await downloadLora(config, lora);
    expect(back.layers[1]!.v!.a.length).toBe(2 * config.dim);
    tf.dispose([value, targets, ...Object.values(grads)]);
    disposeLora(lora);
    disposeLlamaTensors(model);
  });

  test('forward leaves no tensor behind but its result', () => {
    const model = uploadLlamaWeights(initLlamaWeights(config, { seed: 13, tied: true }));
    const before = tf.memory().numTensors;
    const logits = forward(model, tokens);
    expect(logits.shape).toEqual([tokens.length, config.vocabSize]);
    expect(tf.memory().numTensors).toBe(before + 1);
    logits.dispose();
    disposeLlamaTensors(model);
  });
});
