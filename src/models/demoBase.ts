// The demo base model: its recipe, and the function that makes it (pretraining a small
// llama from scratch on text the project generates). scripts/make-demo-base.ts runs it
// to produce models/demo-base.gguf, which the repository carries; `npm start` makes the
// file with the same recipe if it is missing. Change the recipe and the file (and the
// hash the demo data registers) changes with it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultTokenizer } from '../tokenizer/default.ts';
import type { LlamaConfig } from './llama/config.ts';
import { demoCorpus } from './demoCorpus.ts';
import { pretrainLlama } from './trainer/pretrain.ts';
import { vocabPath } from '../tokenizer/vocab.ts';

export const DEMO_BASE = {
  path: 'models/demo-base.gguf',
  name: 'tributary-demo-base',
  config: { vocabSize: 50257, dim: 32, layers: 2, heads: 4, kvHeads: 4, ffnDim: 96, contextLength: 128, rmsEps: Math.fround(1e-5), ropeTheta: 10000 } satisfies LlamaConfig,
  seed: 7,
  documents: 400,
  steps: 120,
  batchSize: 4,
  sequenceLength: 48,
  learningRate: 0.01,
} as const;

/** Where the repository keeps the demo base model. */
export function demoBasePath(): string {
  return fileURLToPath(new URL(`../../${DEMO_BASE.path}`, import.meta.url));
}

/** Pretrains the demo base model into `outPath`; returns its SHA-256 and the first and last training loss. */
export async function makeDemoBase(outPath: string, onStep?: (step: number, steps: number, loss: number) => void): Promise<{ hash: string; firstLoss: number; lastLoss: number }> {
  mkdirSync(dirname(outPath), { recursive: true });
  const r = await pretrainLlama({
    config: DEMO_BASE.config,
    documents: demoCorpus(DEMO_BASE.seed, DEMO_BASE.documents),
    tokenizer: defaultTokenizer(),
    eos: defaultTokenizer().vocabSize - 1,
    steps: DEMO_BASE.steps,
    batchSize: DEMO_BASE.batchSize,
    sequenceLength: DEMO_BASE.sequenceLength,
    learningRate: DEMO_BASE.learningRate,
    seed: DEMO_BASE.seed,
    tokenizerFrom: vocabPath('gpt-2'),
    name: DEMO_BASE.name,
    outPath,
    onStep,
  });
  return { hash: r.hash, firstLoss: r.curve[0].loss, lastLoss: r.curve[r.curve.length - 1].loss };
}
