// Tests of default.ts: one shared GPT-2 tokenizer per process, loaded from node-llama-cpp's vocabulary.
import { expect, test } from 'vitest';
import { defaultTokenizer } from './default.ts';

test('the default tokenizer is GPT-2 BPE, loaded once', () => {
  const t = defaultTokenizer();
  expect(defaultTokenizer()).toBe(t);
  expect(t.id).toMatch(/^gpt2-bpe:[0-9a-f]{16}$/);
  expect(t.vocabSize).toBe(50257);
  expect(Array.from(t.encode('Hello world').ids)).toEqual([15496, 995]);
  expect(Array.from(t.encode('Hello world').offsets)).toEqual([0, 5, 11]);
  expect(t.decode([15496, 995])).toBe('Hello world');
});
