// Differential test: our GPT-2 BPE against llama.cpp itself (node-llama-cpp's prebuilt binary,
// loading the same vocabulary-only GGUF), on generated text that stresses the pre-tokenizer:
// contractions, every kind of white space, scripts, digits, emoji sequences, unassigned and
// private-use code points, lone surrogates, and random code points from all planes. The 46
// shipped vectors are too few to trust on their own. Skipped, with the reason, only where
// node-llama-cpp's binary cannot load on the machine.
import { describe, expect, test } from 'vitest';
import { getLlama, LlamaLogLevel, type LlamaModel } from 'node-llama-cpp';
import { vocabPath } from './vocab.ts';
import { englishLikeText, mixedText } from './bpe.bench.ts';
import { defaultTokenizer } from './default.ts';

async function loadLlamaVocab(): Promise<LlamaModel | string> {
  try {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.disabled });
    return await llama.loadModel({ modelPath: vocabPath('gpt-2'), vocabOnly: true, ignoreMemorySafetyChecks: true });
  } catch (e) {
    return `node-llama-cpp cannot load here: ${(e as Error).message}`;
  }
}

const model = await loadLlamaVocab();
const ours = defaultTokenizer();

const ATOMS = [' ', '  ', '   ', '\t', '\n', '\r\n', '\u000b', '\u000c', '\u00a0', '\u1680', '\u2007', '\u3000', '\u0085', '\u2028', '\u200b',
  '\ufeff', "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'", '"', 'Hello', 'world', ' the', 'don', '123', '4567', '٣٤', '²', 'Ⅻ', 'é',
  'e\u0301', 'ß', 'Привет', '日本語', '한국어', 'ไทย', 'עברית', 'العربية', 'देवनागरी', '🚀', '😶\u200d🌫️', '👍🏽', '✅', '©', '€', '...', '!!',
  '?', '-', '_', '(', '{', '<|endoftext|>', '\\', '\u0000', '\u001f', '\u007f', '\ud800', '\udc00', '𝔘𝔫𝔦', '𝟙𝟚', 'ﬁ', 'ǅ', '〇', '\u2060',
  '\u{e0001}', '\u{10ffff}', '\u{f0000}', '\u0378', 'ｱ', 'Ａ', '１'];

function generated(count: number, seed: number): string[] {
  let s = seed;
  const rand = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) {
    let text = '';
    const n = 1 + Math.floor(rand() * 12);
    for (let k = 0; k < n; k += 1) {
      const x = rand();
      if (x < 0.7) text += ATOMS[Math.floor(rand() * ATOMS.length)]!;
      else if (x < 0.85) text += String.fromCodePoint(Math.floor(rand() * 0x3000));
      else text += String.fromCodePoint(Math.floor(rand() * 0x110000));
    }
    out.push(rand() < 0.3 ? text.replace(/ /g, '   ') : text);
  }
  return out;
}

describe.skipIf(typeof model === 'string')(`GPT-2 BPE equals llama.cpp${typeof model === 'string' ? ` (${model})` : ''}`, () => {
  const llama = model as LlamaModel;
  const theirs = (text: string): number[] => Array.from(llama.tokenize(text, false));

  test('on 20,000 generated strings', () => {
    const mismatches: string[] = [];
    for (const text of generated(20_000, 7)) {
      const want = theirs(text);
      const got = Array.from(ours.encode(text).ids);
      if (want.join(' ') !== got.join(' ')) mismatches.push(`${JSON.stringify(text)}: got ${got.join(' ')}, want ${want.join(' ')}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  test('on long documents: English-like prose and a mix with code, CJK and emoji', () => {
    for (const text of [englishLikeText(200_000, 3), mixedText(200_000, 4)]) {
      expect(Array.from(ours.encode(text).ids)).toEqual(theirs(text));
    }
  });
});
