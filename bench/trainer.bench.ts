// The built-in trainer's speed on the demo base model (the repository's models/demo-base.gguf):
// LoRA fine-tuning steps and tokens per second on generated text, one wasm thread. A
// plain script; `runTrainerBench()` returns the figures for bench/run.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoBasePath } from '../src/models/demoBase.ts';
import { demoCorpus } from '../src/models/demoCorpus.ts';
import { parseTrainingConfig } from '../src/models/trainer/config.ts';
import { trainLora } from '../src/models/trainer/train.ts';

export async function runTrainerBench(steps = 20): Promise<{ steps: number; stepsPerSecond: number; tokensPerSecond: number; evalLoss: number; baseEvalLoss: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-train-'));
  try {
    const documents = demoCorpus(11, 60).map((text, i) => ({ id: i + 1, text }));
    const config = parseTrainingConfig(JSON.stringify({ steps, batchSize: 4, sequenceLength: 48, rank: 8, targets: ['q', 'v', 'ffn'], learningRate: 0.01 }));
    let t0 = 0;
    let t1 = 0;
    const r = await trainLora({
      basePath: demoBasePath(),
      documents,
      config,
      outDir: dir,
      // Timed from the first step's end to the last's, so that loading and evaluation are left out.
      onStep: (step) => {
        if (step === 1) t0 = performance.now();
        if (step === steps) t1 = performance.now();
      },
    });
    const seconds = (t1 - t0) / 1000;
    const measured = steps - 1;
    return { steps, stepsPerSecond: measured / seconds, tokensPerSecond: (measured * config.batchSize * config.sequenceLength) / seconds, evalLoss: r.evalLoss, baseEvalLoss: r.baseEvalLoss };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await runTrainerBench(Number(process.argv[2] ?? 20)));
