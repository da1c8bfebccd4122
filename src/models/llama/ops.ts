// The tensor operations of the llama forward pass that need more care than one tfjs call:
// matrix products whose gradients stay fast on the wasm backend, RMSNorm, llama.cpp's RoPE,
// and the causal mask. Shared by the forward pass and, later, the LoRA trainer.
// Why custom gradients: tfjs differentiates C = A·B into matMul(dC, B, transposeB) and
// matMul(A, dC, transposeA), and on the wasm backend both transposed forms are 7–15× slower
// than a plain product (measured here: 256×512·512×512 takes 8 ms plain, 58 ms with transposeB,
// 115 ms with transposeA, 5 ms as an explicit transpose followed by a plain product). So every
// product here, forward and backward, is a plain matMul of explicitly transposed operands.
// This module must never call matMul with a transpose flag, and never use an op without a
// gradient in tfjs-core (the trainer differentiates through all of it).
import { tf } from './tfjs.ts';

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
export function transposeLast(x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return tf.transpose(x, [1, 0]);
  if (x.rank === 3) return tf.transpose(x, [0, 2, 1]);
  throw new RangeError(`transposeLast: rank ${x.rank} is not supported`);
}

// A·B with dA = dC·Bᵀ and dB = Aᵀ·dC, each a plain product of an explicit transpose.
const matMulBoth = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      return [tf.matMul(dy, transposeLast(sb)), tf.matMul(transposeLast(sa), dy)];
    },
  };
});

/**
 * A·B (rank 2, or rank 3 batched over the first axis) differentiable in both operands: for
 * products of activations (attention) and of trainable weights (LoRA).
 */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return matMulBoth(a, b);
}

/**
 * x·W for a frozen weight W: differentiable in x only, so a trainer backpropagating through the
 * base model never pays for the weight's gradient (dx = dy·Wᵀ, again without a transpose flag).
 * `wT`, when given, is Wᵀ held ready, saving the transpose in every backward pass.
 */
export function matMulFrozen(x: tf.Tensor, w: tf.Tensor, wT?: tf.Tensor): tf.Tensor {
  // W is closed over rather than passed in, so it is not an input of the op and gets no gradient.
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([wT ?? w]);
    return {
      value: tf.matMul(input, w),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const s = saved[0] as tf.Tensor;
        return [tf.matMul(dy, wT === undefined ? transposeLast(s) : s)];
      },
    };
  });
  return op(x);
}

/**
 * Grouped-query attention's head sharing: [kvHeads, seq, hd] → [kvHeads·groups, seq, hd], query
 * head j reading key/value head floor(j / groups) as ggml's broadcasting mul_mat does. Its
 * gradient sums each group back (one reduction, where tfjs' Tile gradient slices per copy).
 */
export function repeatKv(x: tf.Tensor, groups: number): tf.Tensor {
  if (groups === 1) return x;
  const [kvHeads, seq, hd] = x.shape as [number, number, number];
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    return {
      value: tf.reshape(tf.tile(tf.reshape(input, [kvHeads, 1, seq, hd]), [1, groups, 1, 1]), [kvHeads * groups, seq, hd]),
      gradFunc: (dy: tf.Tensor) => [tf.sum(tf.reshape(dy, [kvHeads, groups, seq, hd]), 1)],
    };
  });
  return op(x);
}

/** llama's RMSNorm over the last axis: x / sqrt(mean(x²) + eps) · gain. */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), gain);
  });
}

export interface RopeTables {
  /** [seq, headDim]: cos θ for both members of each pair. */
  readonly cos: tf.Tensor2D;
  /** [seq, headDim]: −sin θ for the first member of each pair, +sin θ for the second. */
  readonly sin: tf.Tensor2D;
}

/**
 * Tables for llama.cpp's "normal" RoPE (LLAMA_ROPE_TYPE_NORM), which rotates adjacent pairs
 * (x[2i], x[2i+1]) of each head by θ = pos · base^(−2i/headDim), positions start..start+seq−1.
 * Angles are computed in float64 and rounded once, which is at least as exact as llama.cpp's
 * float recurrence.
 */
export function ropeTables(seq: number, headDim: number, base: number, start = 0): RopeTables {
  const cos = new Float32Array(seq * headDim);
  const sin = new Float32Array(seq * headDim);
  for (let p = 0; p < seq; p += 1) {
    for (let i = 0; i < headDim / 2; i += 1) {
      const theta = (start + p) * Math.pow(base, (-2 * i) / headDim);
      const c = Math.cos(theta);
      const s = Math.sin(theta);
      const at = p * headDim + 2 * i;
      cos[at] = c;
      cos[at + 1] = c;
      sin[at] = -s;
      sin[at + 1] = s;
    }
  }
  return { cos: tf.tensor2d(cos, [seq, headDim]), sin: tf.tensor2d(sin, [seq, headDim]) };
}

/**
 * Applies RoPE to x of shape [heads, seq, headDim]:
 * out[2i] = x[2i]·cos − x[2i+1]·sin, out[2i+1] = x[2i]·sin + x[2i+1]·cos,
 * computed as x·cos + swap(x)·(∓sin), where swap exchanges the members of each pair.
 */
export function rope(x: tf.Tensor, tables: RopeTables): tf.Tensor {
  return tf.tidy(() => {
    const [heads, seq, hd] = x.shape as [number, number, number];
    const swapped = tf.reshape(tf.reverse(tf.reshape(x, [heads, seq, hd / 2, 2]), 3), [heads, seq, hd]);
    return tf.add(tf.mul(x, tables.cos), tf.mul(swapped, tables.sin));
  });
}

/**
 * [seq, seq] additive mask: 0 where key position ≤ query position, a large negative number
 * after it. Finite rather than −Infinity, so that no gradient ever meets inf − inf.
 */
export function causalMask(seq: number): tf.Tensor2D {
  const m = new Float32Array(seq * seq);
  for (let q = 0; q < seq; q += 1) for (let k = q + 1; k < seq; k += 1) m[q * seq + k] = -1e9;
  return tf.tensor2d(m, [seq, seq]);
}
