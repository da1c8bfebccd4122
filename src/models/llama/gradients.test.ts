// The gradients training relies on (registered by tfjs itself, see tfjs.ts) agree with central
// finite differences, including the broadcasting cases of the binary ops.
import { beforeAll, describe, expect, test } from 'vitest';
import { prng } from '../../random/prng.ts';
import { initTfjs, tf, TRAINING_KERNELS } from './tfjs.ts';

beforeAll(async () => {
  await initTfjs();
});

type Op = (...xs: tf.Tensor[]) => tf.Tensor;

/** Inputs in [lo, lo + 1): positive ones for log, sqrt, rsqrt and divisors. */
function input(shape: number[], seed: number, lo: number): Float32Array {
  const rand = prng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + rand());
}

/**
 * Max |analytic − numeric| (relative to 1 + |numeric|) of d/dx sum(op(xs) · R) for a fixed random
 * R, over every element of every input, with central differences of step h.
 */
async function gradientError(op: Op, shapes: number[][], lo: number): Promise<number> {
  const values = shapes.map((s, i) => input(s, 100 + i, lo));
  const probe = op(...values.map((v, i) => tf.tensor(v, shapes[i])));
  const r = tf.tensor(input(probe.shape, 99, -0.5), probe.shape);
  probe.dispose();
  const loss = (...xs: tf.Tensor[]): tf.Scalar => tf.sum(tf.mul(op(...xs), r));
  const analytic = await Promise.all(tf.grads(loss)(values.map((v, i) => tf.tensor(v, shapes[i]))).map((g) => g.data()));
  const at = async (moved: Float32Array[]): Promise<number> => (await loss(...moved.map((v, i) => tf.tensor(v, shapes[i]))).data())[0]!;
  const h = 1e-2;
  let worst = 0;
  for (let i = 0; i < values.length; i += 1) {
    for (let j = 0; j < values[i]!.length; j += 1) {
      const plus = values.map((v) => v.slice());
      const minus = values.map((v) => v.slice());
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      const numeric = ((await at(plus)) - (await at(minus))) / (2 * h);
      worst = Math.max(worst, Math.abs(analytic[i]![j]! - numeric) / (1 + Math.abs(numeric)));
    }
  }
  return worst;
}

const cases: Array<[string, Op, number[][], number]> = [
  ['Add, b broadcast over rows', (a, b) => tf.add(a!, b!), [[2, 3], [3]], -0.5],
  ['Add, a broadcast', (a, b) => tf.add(a!, b!), [[1, 3], [2, 3]], -0.5],
  ['Sub, both broadcast', (a, b) => tf.sub(a!, b!), [[2, 1], [1, 3]], -0.5],
  ['Multiply, broadcast to rank 3', (a, b) => tf.mul(a!, b!), [[2, 3, 1], [1, 4]], -0.5],
  ['Multiply by a scalar tensor', (a, b) => tf.mul(a!, b!), [[2, 3], []], -0.5],
  ['RealDiv, broadcast divisor', (a, b) => tf.div(a!, b!), [[2, 3], [3]], 0.5],
  ['Cast (float32 × int32 casts both operands)', (x) => tf.mul(x!, tf.tensor([1, -2, 3], [3], 'int32')), [[2, 3]], -0.5],
  ['Identity', (x) => tf.clone(x!), [[2, 3]], -0.5],
  ['Neg', (x) => tf.neg(x!), [[2, 3]], -0.5],
  ['Square', (x) => tf.square(x!), [[2, 3]], -0.5],
  ['Sqrt', (x) => tf.sqrt(x!), [[2, 3]], 0.5],
  ['Rsqrt', (x) => tf.rsqrt(x!), [[2, 3]], 0.5],
  ['Exp', (x) => tf.exp(x!), [[2, 3]], -0.5],
  ['Log', (x) => tf.log(x!), [[2, 3]], 0.5],
  ['Sigmoid', (x) => tf.sigmoid(x!), [[2, 3]], -2],
  ['Sum over one axis', (x) => tf.sum(x!, 1), [[2, 3, 2]], -0.5],
  ['Sum, keepDims', (x) => tf.sum(x!, -1, true), [[2, 3]], -0.5],
  ['Mean over two axes', (x) => tf.mean(x!, [0, 2]), [[2, 3, 2]], -0.5],
  ['Mean, keepDims', (x) => tf.mean(x!, -1, true), [[2, 3]], -0.5],
  ['Reshape', (x) => tf.reshape(x!, [3, 2]), [[2, 3]], -0.5],
  ['Transpose', (x) => tf.transpose(x!, [2, 0, 1]), [[2, 3, 4]], -0.5],
  ['Reverse', (x) => tf.reverse(x!, 1), [[2, 3, 2]], -0.5],
  ['Softmax', (x) => tf.softmax(x!), [[2, 5]], -2],
  ['Slice', (x) => tf.slice(x!, [1, 1], [2, 2]), [[3, 4]], -0.5],
];

describe('registered gradients agree with finite differences', () => {
  test('every kernel the forward differentiates has a gradient', () => {
    for (const k of TRAINING_KERNELS) expect(tf.getGradient(k), k).toBeDefined();
  });

  test.each(cases)('%s', async (_name, op, shapes, lo) => {
    expect(await gradientError(op, shapes, lo)).toBeLessThan(2e-3);
  });
});
