// The demo base model the repository carries is what its recipe says: a valid llama GGUF of
// the recipe's shape with the GPT-2 tokenizer. (scripts/make-demo-base.ts remakes it; the
// pretrainer's own test checks that a seed always gives the same bytes.)
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readGgufFile } from '../gguf/reader.ts';
import { validateLlamaModel } from '../gguf/validate.ts';
import { DEMO_BASE, demoBasePath } from './demoBase.ts';

describe('the demo base model', () => {
  it('is in the repository, valid, and shaped as its recipe says', () => {
    expect(existsSync(demoBasePath())).toBe(true);
    const info = validateLlamaModel(readGgufFile(demoBasePath()));
    const c = DEMO_BASE.config;
    expect(info).toMatchObject({
      name: DEMO_BASE.name,
      embeddingLength: c.dim,
      blockCount: c.layers,
      headCount: c.heads,
      headCountKv: c.kvHeads,
      feedForwardLength: c.ffnDim,
      contextLength: c.contextLength,
      vocabSize: c.vocabSize,
      tokenizer: { model: 'gpt2' },
      tiedEmbeddings: true,
      tensorTypes: ['F32'],
    });
  });
});
