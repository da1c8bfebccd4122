// Pretraining from scratch: every weight moves, the training loss falls, the result is a
// valid llama GGUF with tied embeddings, and a seed always gives the same bytes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultTokenizer } from '../../tokenizer/default.ts';
import { readGgufFile } from '../../gguf/reader.ts';
import { validateLlamaModel } from '../../gguf/validate.ts';
import { demoCorpus } from '../demoCorpus.ts';
import { vocabPath } from '../../tokenizer/vocab.ts';
import { pretrainLlama } from './pretrain.ts';

describe('pretrainLlama', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-pretrain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (out: string) =>
    pretrainLlama({
      config: { vocabSize: 50257, dim: 16, layers: 1, heads: 2, kvHeads: 2, ffnDim: 32, contextLength: 64, rmsEps: Math.fround(1e-5), ropeTheta: 10000 },
      documents: demoCorpus(3, 40),
      tokenizer: defaultTokenizer(),
      eos: 50256,
      steps: 12,
      batchSize: 2,
      sequenceLength: 32,
      learningRate: 0.02,
      seed: 4,
      tokenizerFrom: vocabPath('gpt-2'),
      name: 'pretrain test',
      outPath: join(dir, out),
    });

  it('lowers the training loss and writes a valid tied-embedding llama, the same for the same seed', async () => {
    const a = await run('a.gguf');
    expect(a.curve[a.curve.length - 1].loss).toBeLessThan(a.curve[0].loss - 1);
    expect(validateLlamaModel(readGgufFile(a.path))).toMatchObject({ blockCount: 1, embeddingLength: 16, vocabSize: 50257, tiedEmbeddings: true, name: 'pretrain test' });
    const b = await run('b.gguf');
    expect(b.hash).toBe(a.hash);
  }, 120_000);
});
