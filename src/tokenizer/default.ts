// The built-in tokenizer for datanet-only attribution: GPT-2's byte-level BPE, read from
// llama.cpp's ggml-vocab-gpt-2.gguf that ships inside node-llama-cpp (see tokenizer/vocab.ts).
// Loaded on first use and shared, because loading costs a few hundred milliseconds and the
// tokenizer holds no state that changes its output. It must never fall back to another
// vocabulary when that file is missing: an index built with a different tokenizer would
// silently mismatch, so a missing vocabulary is an error.
import { readGgufFile } from '../gguf/reader.ts';
import { vocabPath } from './vocab.ts';
import { gpt2BpeFromGguf, type Gpt2BpeTokenizer } from './bpe.ts';
import type { Tokenizer } from './tokenizer.ts';

let instance: Gpt2BpeTokenizer | undefined;

/** The GPT-2 BPE tokenizer, loaded once per process. */
export function defaultTokenizer(): Tokenizer {
  return (instance ??= gpt2BpeFromGguf(readGgufFile(vocabPath('gpt-2'))));
}
