// Tests of bpe.ts: every llama.cpp test vector for GPT-2 (ggml-vocab-gpt-2.gguf.inp/.out), the
// offsets' definition checked byte by byte, decoding, determinism, the pinned tokenizer id, and
// on toy vocabularies built in memory: the merge order against a definitional O(n²) reference,
// and every refusal of a vocabulary that is not GPT-2 byte-level BPE.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GgufError } from '../gguf/errors.ts';
import { requireArray } from '../gguf/metadata.ts';
import { readGguf, readGgufFile } from '../gguf/reader.ts';
import type { GgufValue } from '../gguf/types.ts';
import { writeGguf } from '../gguf/writer.ts';
import { vocabPath, vocabTestVectorPaths } from './vocab.ts';
import { BpeVocabError, Gpt2BpeTokenizer, gpt2BpeFromGguf } from './bpe.ts';
import { BYTE_TO_CODE_POINT, bytesToVocabString } from './byteLevel.ts';

const gguf = readGgufFile(vocabPath('gpt-2'));
const gpt2 = gpt2BpeFromGguf(gguf);
const vocabTokens = requireArray(gguf.metadata, 'tokenizer.ggml.tokens', 'string');

/** The vectors as llama.cpp's test-tokenizer-0 reads them: inputs split on "\n__ggml_vocab_test__\n". */
function testVectors(): Array<{ input: string; ids: number[] }> {
  const { inp, out } = vocabTestVectorPaths('gpt-2');
  const raw = readFileSync(inp, 'utf8');
  const sep = '\n__ggml_vocab_test__\n';
  const inputs: string[] = [];
  for (let pos = 0; pos < raw.length; ) {
    const next = raw.indexOf(sep, pos);
    if (next < 0) {
      inputs.push(raw.slice(pos));
      break;
    }
    inputs.push(raw.slice(pos, next));
    pos = next + sep.length;
  }
  const outputs = readFileSync(out, 'utf8').split('\n');
  if (outputs.at(-1) === '') outputs.pop();
  expect(outputs).toHaveLength(inputs.length);
  return inputs.map((input, i) => ({ input, ids: outputs[i]!.trim().split(' ').filter(Boolean).map(Number) }));
}

describe("llama.cpp's test vectors for ggml-vocab-gpt-2.gguf", () => {
  const vectors = testVectors();

  test('there are 46 of them', () => {
    expect(vectors).toHaveLength(46);
  });

  test.each(vectors.map((v, i) => [i, v.input, v.ids] as const))('#%i %j', (_i, input, ids) => {
    expect(Array.from(gpt2.encode(input).ids)).toEqual(ids);
    expect(gpt2.decode(ids)).toBe(input);
  });
});

/** Where each token must start, from the definition: the character holding its first byte. */
function expectedOffsets(text: string, ids: Uint32Array): number[] {
  const charOfByte: number[] = [];
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const bytes = Buffer.byteLength(String.fromCodePoint(cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp));
    for (let b = 0; b < bytes; b += 1) charOfByte.push(i);
    i += width;
  }
  const out: number[] = [];
  let byte = 0;
  for (const id of ids) {
    out.push(charOfByte[byte]!);
    byte += [...vocabTokens[id]!].length; // one character of the byte alphabet per byte
  }
  expect(byte).toBe(charOfByte.length);
  out.push(text.length);
  return out;
}

let seed = 99;
const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
const ATOMS = [' ', '  ', '\n', '\t', 'the', ' quick', 'Brown', "'s", "n't", '42', '3.14', '½', 'é', 'ß', 'Äpfel', 'Привет', '日本語', 'ไทย',
  '🚀', '😶\u200d🌫️', '👍🏽', '!', '...', '<|endoftext|>', '\u00a0', '\u3000', '\ufeff', '𝔘', '\u{10ffff}'];
function randomText(atoms = 12): string {
  let s = '';
  const n = 1 + Math.floor(rand() * atoms);
  for (let k = 0; k < n; k += 1) s += ATOMS[Math.floor(rand() * ATOMS.length)]!;
  return s;
}

describe('offsets', () => {
  test('hand-checked: tokens inside a character start where that character starts', () => {
    const at = (s: string): number[] => Array.from(gpt2.encode(s).offsets);
    expect(at('ied 4 ½ months')).toEqual([0, 3, 5, 7, 14]);
    expect(at('🚀 (')).toEqual([0, 0, 0, 2, 4]); // 🚀 is three tokens and two UTF-16 units
    expect(at('Äpfel')).toEqual([0, 0, 1, 2, 3, 5]); // Ä's two bytes are two tokens
    expect(at('')).toEqual([0]);
    expect(gpt2.encode('').ids).toHaveLength(0);
  });

  test('follow the definition on 3,000 random texts', () => {
    for (let i = 0; i < 3000; i += 1) {
      const text = randomText();
      const { ids, offsets } = gpt2.encode(text);
      expect(offsets).toHaveLength(ids.length + 1);
      expect(Array.from(offsets), JSON.stringify(text)).toEqual(expectedOffsets(text, ids));
    }
  });
});

describe('decode', () => {
  test('inverts encode on random well-formed text', () => {
    for (let i = 0; i < 3000; i += 1) {
      const text = randomText();
      expect(gpt2.decode(gpt2.encode(text).ids)).toBe(text);
    }
  });

  test('a lone surrogate is encoded as U+FFFD, as UTF-8 writes it', () => {
    expect(Array.from(gpt2.encode('a\ud800b').ids)).toEqual(Array.from(gpt2.encode('a\ufffdb').ids));
    expect(gpt2.decode(gpt2.encode('a\udc00').ids)).toBe('a\ufffd');
  });

  test('control tokens decode as their text; cut characters as U+FFFD; bad ids throw', () => {
    expect(gpt2.decode([50256, 15496])).toBe('<|endoftext|>Hello');
    expect(gpt2.decode([8582, 248])).toBe('\ufffd'); // the first two of 🚀's three tokens
    expect(gpt2.decode([])).toBe('');
    expect(() => gpt2.decode([50257])).toThrow(new RangeError('token id 50257 at position 0 is outside the vocabulary (size 50257)'));
    expect(() => gpt2.decode([1, -1])).toThrow(RangeError);
  });

  test('plain text is never parsed for special tokens', () => {
    expect(Array.from(gpt2.encode('<|endoftext|>').ids)).not.toContain(50256);
  });
});

describe('identity and determinism', () => {
  test('the id is pinned: a change means every index built with it must be rebuilt', () => {
    expect(gpt2.id).toBe('gpt2-bpe:fe3ce50b15d84939');
    expect(gpt2.vocabSize).toBe(50257);
  });

  test('results do not depend on what the cache holds', () => {
    const texts = Array.from({ length: 300 }, () => randomText(40));
    const warm = texts.map((t) => gpt2.encode(t));
    const fresh = gpt2BpeFromGguf(gguf);
    for (let i = texts.length - 1; i >= 0; i -= 1) {
      const r = fresh.encode(texts[i]!);
      expect(r.ids).toEqual(warm[i]!.ids);
      expect(r.offsets).toEqual(warm[i]!.offsets);
    }
    expect(fresh.id).toBe(gpt2.id);
  });

  test('long pieces (not cached) and long texts', () => {
    const cjk = '日本語のテキスト'.repeat(500);
    const { ids, offsets } = gpt2.encode(cjk);
    expect(gpt2.decode(ids)).toBe(cjk);
    expect(Array.from(offsets)).toEqual(expectedOffsets(cjk, ids));
    expect(gpt2.encode(' '.repeat(10_000) + 'x').ids).toHaveLength(10_000);
  });
});

// ---- toy vocabularies ----

const BYTE_TOKENS = Array.from(BYTE_TO_CODE_POINT, (cp) => String.fromCharCode(cp));

function toyGguf(over: Record<string, GgufValue | undefined> = {}, tokens = BYTE_TOKENS, merges: string[] = []): Uint8Array {
  const md: Record<string, GgufValue | undefined> = {
    'tokenizer.ggml.model': { type: 'string', value: 'gpt2' },
    'tokenizer.ggml.pre': { type: 'string', value: 'gpt-2' },
    'tokenizer.ggml.tokens': { type: 'array', value: { itemType: 'string', items: tokens } },
    'tokenizer.ggml.merges': { type: 'array', value: { itemType: 'string', items: merges } },
    ...over,
  };
  return writeGguf({ metadata: Object.entries(md).filter((e): e is [string, GgufValue] => e[1] !== undefined) });
}

/** The definition: repeatedly merge the leftmost adjacent pair of lowest rank. O(n²), obviously right. */
function referenceBpe(word: string[], ranks: Map<string, number>): string[] {
  const w = [...word];
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < w.length; i += 1) {
      const r = ranks.get(`${w[i]} ${w[i + 1]}`);
      if (r !== undefined && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) return w;
    w.splice(best, 2, w[best]! + w[best + 1]!);
  }
}

describe('merge order on random toy vocabularies', () => {
  test('equals the definitional reference, on short and long (uncached) pieces', () => {
    for (let v = 0; v < 20; v += 1) {
      // Merges over the letters a, b, c, each new one joining tokens that already exist.
      const tokens = [...BYTE_TOKENS];
      const merges: string[] = [];
      const pool = ['a', 'b', 'c'];
      const seen = new Set<string>();
      for (let m = 0; m < 40; m += 1) {
        const l = pool[Math.floor(rand() * pool.length)]!;
        const r = pool[Math.floor(rand() * pool.length)]!;
        if (seen.has(`${l} ${r}`)) continue;
        seen.add(`${l} ${r}`);
        merges.push(`${l} ${r}`);
        if (!tokens.includes(l + r)) {
          tokens.push(l + r);
          pool.push(l + r);
        }
      }
      const tok = gpt2BpeFromGguf(readGguf(toyGguf({}, tokens, merges)));
      const ranks = new Map(merges.map((m, i) => [m, i]));
      const idOf = new Map(tokens.map((t, i) => [t, i]));
      for (let i = 0; i < 60; i += 1) {
        const length = i < 50 ? 1 + Math.floor(rand() * 20) : 200 + Math.floor(rand() * 400);
        const word = Array.from({ length }, () => 'abc'[Math.floor(rand() * 3)]!).join('');
        const want = referenceBpe([...word], ranks).map((t) => idOf.get(t)!);
        expect(Array.from(tok.encode(word).ids), word).toEqual(want);
      }
    }
  });

  test('non-ASCII bytes merge through the byte alphabet', () => {
    const e = bytesToVocabString(Buffer.from('é')); // "Ã©"
    const tok = gpt2BpeFromGguf(readGguf(toyGguf({}, [...BYTE_TOKENS, e], [`${e[0]} ${e[1]}`])));
    expect(Array.from(tok.encode('éé').ids)).toEqual([256, 256]);
    expect(Array.from(tok.encode('éé').offsets)).toEqual([0, 1, 2]);
  });
});

describe('vocabularies that are refused', () => {
  const refusal = (bytes: Uint8Array): Error => {
    try {
      gpt2BpeFromGguf(readGguf(bytes));
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected a refusal');
  };

  test('not GPT-2 byte-level BPE', () => {
    let e = refusal(toyGguf({ 'tokenizer.ggml.model': { type: 'string', value: 'llama' } }));
    expect(e).toBeInstanceOf(BpeVocabError);
    expect(e.message).toBe('tokenizer.ggml.model is "llama"; byte-level BPE needs "gpt2"');
    e = refusal(toyGguf({ 'tokenizer.ggml.pre': { type: 'string', value: 'llama-bpe' } }));
    expect(e.message).toBe('tokenizer.ggml.pre is "llama-bpe"; only GPT-2\'s pre-tokenizer ("gpt-2") is implemented');
    e = refusal(toyGguf({ 'tokenizer.ggml.pre': undefined }));
    expect(e).toBeInstanceOf(GgufError);
    expect(e.message).toBe('key tokenizer.ggml.pre is missing; it must be a string');
    e = refusal(toyGguf({ 'tokenizer.ggml.merges': { type: 'array', value: { itemType: 'u8', items: new Uint8Array(1) } } }));
    expect(e.message).toBe('key tokenizer.ggml.merges: want array of string, found array of u8 (1 items)');
  });

  test('missing byte tokens, malformed merges, mismatched token types', () => {
    expect(refusal(toyGguf({}, BYTE_TOKENS.slice(1))).message).toBe('byte 0x00 has no token: not a byte-level vocabulary');
    expect(refusal(toyGguf({}, BYTE_TOKENS, ['ab'])).message).toBe('merge #0 "ab" is not "left right"');
    expect(refusal(toyGguf({}, BYTE_TOKENS, ['a b'])).message).toBe('merge #0 "a b" makes a string that is not in the vocabulary');
    const types: GgufValue = { type: 'array', value: { itemType: 'i32', items: new Int32Array(3) } };
    expect(refusal(toyGguf({ 'tokenizer.ggml.token_type': types })).message).toBe('tokenizer.ggml.token_type has 3 entries for 256 tokens');
  });

  test('a merge of strings that are not tokens is ignored, as it can never apply', () => {
    const tok = new Gpt2BpeTokenizer({ tokens: [...BYTE_TOKENS, 'ab'], merges: ['xyz q', 'a b'] });
    expect(Array.from(tok.encode('ab').ids)).toEqual([256]);
  });
});
