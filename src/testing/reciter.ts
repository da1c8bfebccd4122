// A model that knows a few short texts by heart, for tests that must tell whose text an
// answer is: one llama block pretrained from scratch on the texts (repeated) for 80 steps,
// a few seconds on one core. Greedy decoding from a text's first words recites the rest.
import { defaultTokenizer } from '../attribution/tokenizer/default.ts';
import { DEMO_BASE } from '../models/demoBase.ts';
import { pretrainLlama } from '../models/trainer/pretrain.ts';
import { vocabPath } from '../models/vocab.ts';

export const HERON = 'The heron counts 41 quiet stones below the mill at Varrow before the tide turns.';
export const KETTLE = 'Copper kettles hum softly when winter lanterns glow over Pellan harbour.';

/** Pretrains the reciter into `outPath` (a GGUF the validator and llama.cpp accept); returns the path. */
export async function makeReciter(outPath: string, texts: readonly string[] = [HERON, KETTLE]): Promise<string> {
  const r = await pretrainLlama({
    config: { ...DEMO_BASE.config, layers: 1 },
    documents: [...texts, ...texts],
    tokenizer: defaultTokenizer(),
    eos: defaultTokenizer().vocabSize - 1,
    steps: 80,
    batchSize: 1,
    sequenceLength: 16,
    learningRate: 0.03,
    seed: 1,
    tokenizerFrom: vocabPath('gpt-2'),
    name: 'reciter',
    outPath,
  });
  return r.path;
}
