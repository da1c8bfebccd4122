// The training objective: mean next-token cross-entropy (nats per token) of a token
// window under the model, with or without an adapter. One function for the trainer's
// gradient steps and for every held-out evaluation, worker's and node's alike.
import { forward, type LlamaTensors, type LoraTensors } from '../llama/forward.ts';
import { tf } from '../llama/tfjs.ts';

/** Summed negative log-likelihood of window[1..] given window[..-1], as a scalar tensor. */
export function windowNll(model: LlamaTensors, window: readonly number[], lora?: LoraTensors): tf.Scalar {
  return tf.tidy(() => {
    const logits = forward(model, window.slice(0, -1), lora);
    const targets = tf.oneHot(tf.tensor1d(window.slice(1), 'int32'), model.config.vocabSize);
    return tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), targets))) as tf.Scalar;
  });
}

/** Mean loss per predicted token over the windows (nats per token). */
export async function meanLoss(model: LlamaTensors, windows: readonly (readonly number[])[], lora?: LoraTensors): Promise<number> {
  let total = 0;
  let tokens = 0;
  for (const w of windows) {
    const nll = windowNll(model, w, lora);
    total += (await nll.data())[0];
    nll.dispose();
    tokens += w.length - 1;
  }
  if (tokens === 0) throw new RangeError('no tokens to evaluate');
  return total / tokens;
}
