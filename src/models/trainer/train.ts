// The built-in LoRA trainer: fine-tunes adapters on a base model for a datanet version,
// on TensorFlow.js (WebAssembly). Deterministic for a given seed: the split, the batch
// order and the initial adapter all come from it, and the wasm backend runs one thread.
// Writes the adapter GGUF (named by its SHA-256), the loss curve as a picture, and the
// metrics; the base weights stay frozen, only the adapter's A and B are trained.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../random/prng.ts';
import { disposeLlamaTensors, disposeLora, downloadLora, uploadLlamaWeights, uploadLora } from '../llama/forward.ts';
import { buildLoraGguf, initLoraWeights, type LoraTarget } from '../llama/lora.ts';
import { initTfjs, tf } from '../llama/tfjs.ts';
import { llamaWeightsFromGguf } from '../llama/weights.ts';
import { configHash, learningRateAt, type LoraTargetName, type TrainingConfig } from './config.ts';
import { modelTokenizer, sequences, splitDocuments, type TrainingDocument } from './data.ts';
import { heldOutWindows } from './evaluate.ts';
import { windowNll, meanLoss } from './loss.ts';
import { type CurvePoint, lossCurveSvg } from './lossCurve.ts';

/** Recorded with every result: a change to what training computes changes this. */
export const TRAINER_VERSION = 'tributary-lora/1';

const TARGETS: Record<LoraTargetName, LoraTarget[]> = { q: ['q'], k: ['k'], v: ['v'], o: ['o'], ffn: ['gate', 'up', 'down'] };

export interface TrainResult {
  adapterPath: string;
  adapterHash: string;
  curvePath: string;
  metricsPath: string;
  trainerVersion: string;
  configHash: string;
  /** Mean held-out loss, nats per token, with the adapter and with the base alone. */
  evalLoss: number;
  baseEvalLoss: number;
  curve: CurvePoint[];
  trainWindows: number;
  heldOutWindows: number;
}

export interface TrainOptions {
  basePath: string;
  documents: readonly TrainingDocument[];
  config: TrainingConfig;
  /** Where the adapter, the curve and the metrics go. */
  outDir: string;
  onStep?(step: number, steps: number, loss: number): void;
}

export async function trainLora(o: TrainOptions): Promise<TrainResult> {
  await initTfjs();
  const c = o.config;
  const { train } = splitDocuments(o.documents, c);
  const windows = sequences(train, modelTokenizer(o.basePath), c.sequenceLength);
  if (windows.length === 0) throw new RangeError('the training split holds no tokens');
  const held = heldOutWindows(o.basePath, o.documents, c);

  const weights = llamaWeightsFromGguf(new Uint8Array(readFileSync(o.basePath)));
  const model = uploadLlamaWeights(weights);
  const loraConfig = { rank: c.rank, alpha: c.alpha, targets: c.targets.flatMap((t) => TARGETS[t]) };
  const lora = uploadLora(weights.config, initLoraWeights(weights.config, loraConfig, { seed: c.seed }), { trainable: true });
  const vars = lora.layers.flatMap((l) => Object.values(l).flatMap((p) => [p!.a, p!.b])) as tf.Variable[];
  const optimizer = tf.train.adam(c.learningRate);
  const pick = prng(c.seed ^ 0x5eed);
  const curve: CurvePoint[] = [];
  try {
    const baseEvalLoss = await meanLoss(model, held);
    for (let step = 0; step < c.steps; step++) {
      // Adam reads its learning rate on every step; the schedule sets it here.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(c, step);
      const batch = Array.from({ length: c.batchSize }, () => windows[Math.floor(pick() * windows.length)]);
      const tokens = batch.reduce((s, w) => s + w.length - 1, 0);
      const cost = optimizer.minimize(() => tf.div(batch.map((w) => windowNll(model, w, lora)).reduce((a, b) => tf.add(a, b)), tokens) as tf.Scalar, true, vars)!;
      const loss = (await cost.data())[0];
      cost.dispose();
      curve.push({ step: step + 1, loss });
      o.onStep?.(step + 1, c.steps, loss);
    }
    const evalLoss = await meanLoss(model, held, lora);
    const bytes = buildLoraGguf(weights.config, await downloadLora(weights.config, lora), { name: `tributary lora ${configHash(c).slice(2, 14)}` });
    const adapterHash = '0x' + createHash('sha256').update(bytes).digest('hex');
    mkdirSync(o.outDir, { recursive: true });
    const adapterPath = join(o.outDir, `${adapterHash.slice(2)}.gguf`);
    writeFileSync(adapterPath, bytes);
    const curvePath = join(o.outDir, 'loss.svg');
    writeFileSync(curvePath, lossCurveSvg(curve, { before: baseEvalLoss, after: evalLoss }, `LoRA r=${c.rank} α=${c.alpha} on ${c.targets.join(',')}: ${c.steps} steps`));
    const result: TrainResult = {
      adapterPath,
      adapterHash,
      curvePath,
      metricsPath: join(o.outDir, 'metrics.json'),
      trainerVersion: TRAINER_VERSION,
      configHash: configHash(c),
      evalLoss,
      baseEvalLoss,
      curve,
      trainWindows: windows.length,
      heldOutWindows: held.length,
    };
    writeFileSync(result.metricsPath, JSON.stringify({ ...result, curve }, null, 2) + '\n');
    return result;
  } finally {
    optimizer.dispose();
    disposeLora(lora);
    disposeLlamaTensors(model);
  }
}
