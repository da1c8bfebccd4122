// The tokenizer contract of the attribution index: text in, token ids and their UTF-16 start
// offsets out (so that matched spans can be highlighted in the original text). An index is keyed
// by (snapshot, tokenizer id), so a tokenizer must be a pure function of its text: no locale, no
// clock, no state that changes its output. Implementations must never let caching, chunking or
// the Node version change a single id or offset.

export interface EncodeResult {
  readonly ids: Uint32Array;
  /** offsets[i] is where token i starts in the text (UTF-16 index); ids.length + 1 entries, the last = text.length. */
  readonly offsets: Uint32Array;
}

export interface Tokenizer {
  /** Stable identity, e.g. "gpt2-bpe:<first 16 hex of SHA-256 of the vocabulary and merges>", recorded in every index built with it. */
  readonly id: string;
  readonly vocabSize: number;
  /** Token ids, and offsets[i] = UTF-16 index in `text` where token i starts; offsets has ids.length + 1 entries (last = text.length). A token that starts inside a multi-byte character maps to that character's index. */
  encode(text: string): EncodeResult;
  decode(ids: ArrayLike<number>): string;
}
