// The built-in LoRA trainer on a small llama with the real GPT-2 vocabulary, on text the
// project generates: it lowers the held-out loss on the datanet it trains on, it is
// deterministic for a seed, its adapter is a valid GGUF for the base and evaluates (as
// the node will) to the loss it reported, and it writes its loss curve as a picture.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TextGenerator } from '../../../bench/corpus.ts';
import { readGgufFile } from '../../gguf/reader.ts';
import { validateLlamaModel, validateLoraAdapter } from '../../gguf/validate.ts';
import { initLlamaWeights, writeLlamaGguf } from '../llama/weights.ts';
import { vocabPath } from '../../tokenizer/vocab.ts';
import { DEFAULT_TRAINING_CONFIG, learningRateAt, parseTrainingConfig, TrainingConfigError } from './config.ts';
import { splitDocuments } from './data.ts';
import { evaluateAdapter } from './evaluate.ts';
import { trainLora } from './train.ts';

describe('trainLora', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-train-'));
  const basePath = join(dir, 'base.gguf');
  const gen = new TextGenerator(17);
  const documents = Array.from({ length: 8 }, (_, i) => ({ id: 10 + i, text: gen.document(120) }));
  const config = parseTrainingConfig(JSON.stringify({ steps: 16, batchSize: 2, rank: 4, alpha: 8, targets: ['q', 'v', 'ffn'], learningRate: 0.01, sequenceLength: 48, warmupSteps: 2 }));

  beforeAll(() => {
    const w = initLlamaWeights(
      { vocabSize: 50257, dim: 32, layers: 2, heads: 4, kvHeads: 2, ffnDim: 64, contextLength: 128, rmsEps: Math.fround(1e-5), ropeTheta: 10000 },
      { seed: 5, logitStd: 1 },
    );
    writeLlamaGguf(basePath, w, { tokenizerFrom: vocabPath('gpt-2'), name: 'trainer test base' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lowers the held-out loss, writes a valid adapter, a loss curve and metrics, and the node re-measures the same loss', async () => {
    const r = await trainLora({ basePath, documents, config, outDir: join(dir, 'a') });
    expect(r.evalLoss).toBeLessThan(r.baseEvalLoss - 0.05);
    expect(r.curve).toHaveLength(16);
    const adapter = validateLoraAdapter(readGgufFile(r.adapterPath), validateLlamaModel(readGgufFile(basePath)));
    expect(adapter).toMatchObject({ alpha: 8, ranks: [4], targets: ['attn_q', 'attn_v', 'ffn_gate', 'ffn_up', 'ffn_down'], blocks: [0, 1] });
    expect(readFileSync(r.curvePath, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*held-out, with adapter: \d+\.\d{4}[\s\S]*<\/svg>\n$/);
    expect(JSON.parse(readFileSync(r.metricsPath, 'utf8'))).toMatchObject({ adapterHash: r.adapterHash, trainerVersion: 'tributary-lora/1' });
    const again = await evaluateAdapter({ basePath, adapterPath: r.adapterPath, documents, config });
    expect(again.evalLoss).toBeCloseTo(r.evalLoss, 6);
    expect(again.baseEvalLoss).toBeCloseTo(r.baseEvalLoss, 6);
  }, 120_000);

  it('is deterministic for a seed, and another seed gives another adapter', async () => {
    const short = { ...config, steps: 3 };
    const a = await trainLora({ basePath, documents, config: short, outDir: join(dir, 'b1') });
    const b = await trainLora({ basePath, documents, config: short, outDir: join(dir, 'b2') });
    const c = await trainLora({ basePath, documents, config: { ...short, seed: 2 }, outDir: join(dir, 'b3') });
    expect(b.adapterHash).toBe(a.adapterHash);
    expect(b.curve).toEqual(a.curve);
    expect(c.adapterHash).not.toBe(a.adapterHash);
  }, 120_000);
});

describe('training config', () => {
  it('fills defaults and refuses what it cannot run, naming the option', () => {
    expect(parseTrainingConfig('{}')).toEqual(DEFAULT_TRAINING_CONFIG);
    const field = (text: string) => {
      try {
        parseTrainingConfig(text);
      } catch (e) {
        return (e as TrainingConfigError).field;
      }
      return 'accepted';
    };
    expect(field('{"rank": 0}')).toBe('rank');
    expect(field('{"targets": ["q", "q"]}')).toBe('targets');
    expect(field('{"targets": ["x"]}')).toBe('targets');
    expect(field('{"schedule": "step"}')).toBe('schedule');
    expect(field('{"evalFraction": 0.9}')).toBe('evalFraction');
    expect(field('{"steps": 5, "warmupSteps": 5}')).toBe('warmupSteps');
    expect(field('{"epochs": 3}')).toBe('epochs');
    expect(field('[1]')).toBe('config');
    expect(field('not json')).toBe('config');
  });

  it('warms up linearly, then follows the schedule down to zero', () => {
    const c = { ...DEFAULT_TRAINING_CONFIG, learningRate: 1, warmupSteps: 4, steps: 14 };
    expect([0, 1, 2, 3].map((s) => learningRateAt(c, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRateAt({ ...c, schedule: 'cosine' }, 4)).toBe(1);
    expect(learningRateAt({ ...c, schedule: 'cosine' }, 9)).toBeCloseTo(0.5, 10);
    expect(learningRateAt({ ...c, schedule: 'linear' }, 9)).toBeCloseTo(0.5, 10);
    expect(learningRateAt({ ...c, schedule: 'constant' }, 13)).toBe(1);
  });

  it('holds out the same documents for the same seed, at least one, never all', () => {
    const docs = Array.from({ length: 10 }, (_, i) => ({ id: i, text: String(i) }));
    const a = splitDocuments(docs, { seed: 3, evalFraction: 0.2 });
    expect(a.held).toHaveLength(2);
    expect(splitDocuments([...docs].reverse(), { seed: 3, evalFraction: 0.2 }).held).toEqual(a.held);
    expect(splitDocuments(docs.slice(0, 2), { seed: 3, evalFraction: 0.01 }).held).toHaveLength(1);
    expect(() => splitDocuments(docs.slice(0, 1), { seed: 3, evalFraction: 0.2 })).toThrow(/at least 2 documents/);
  });
});
