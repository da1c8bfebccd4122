// Held-out evaluation of a LoRA adapter on its job's data, as the node does it before it
// accepts a result (and as the trainer reports it): the same split, the same tokenizer,
// the same windows, the same loss. Also reports the base model's loss on that split, so
// that a person can see what the adapter gained.
import { readFileSync } from 'node:fs';
import { disposeLlamaTensors, disposeLora, uploadLlamaWeights, uploadLora } from '../llama/forward.ts';
import { loraWeightsFromGguf } from '../llama/lora.ts';
import { initTfjs } from '../llama/tfjs.ts';
import { llamaWeightsFromGguf } from '../llama/weights.ts';
import type { TrainingConfig } from './config.ts';
import { modelTokenizer, sequences, splitDocuments, type TrainingDocument } from './data.ts';
import { meanLoss } from './loss.ts';

/** Held-out windows are capped so that evaluating a result costs a bounded time. */
export const MAX_EVAL_WINDOWS = 32;

/** The job's held-out windows (the same on the worker and on the node). */
export function heldOutWindows(basePath: string, documents: readonly TrainingDocument[], config: TrainingConfig): number[][] {
  const { held } = splitDocuments(documents, config);
  return sequences(held, modelTokenizer(basePath), config.sequenceLength).slice(0, MAX_EVAL_WINDOWS);
}

export async function evaluateAdapter(x: { basePath: string; adapterPath: string; documents: readonly TrainingDocument[]; config: TrainingConfig }): Promise<{ evalLoss: number; baseEvalLoss: number }> {
  await initTfjs();
  const windows = heldOutWindows(x.basePath, x.documents, x.config);
  const weights = llamaWeightsFromGguf(new Uint8Array(readFileSync(x.basePath)));
  const model = uploadLlamaWeights(weights);
  const lora = uploadLora(weights.config, loraWeightsFromGguf(weights.config, new Uint8Array(readFileSync(x.adapterPath))));
  try {
    return { evalLoss: await meanLoss(model, windows, lora), baseEvalLoss: await meanLoss(model, windows) };
  } finally {
    disposeLora(lora);
    disposeLlamaTensors(model);
  }
}
