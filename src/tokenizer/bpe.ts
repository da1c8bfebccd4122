// Byte-level BPE as GPT-2 defines it, built from a llama.cpp vocabulary GGUF
// (`tokenizer.ggml.model` = "gpt2"): GPT-2's pre-tokenizer splits the text, each piece's UTF-8
// bytes become single-byte tokens, and adjacent tokens merge, lowest merge rank first (leftmost
// on ties), until no pair has a rank. The result equals llama.cpp's for every shipped test vector.
// Speed matters (corpora of ~10M tokens): pieces are cached, so the hot loop is a scan, a map
// lookup and a copy; BPE itself runs only for pieces not seen recently. It must never give different ids or offsets for the same text — not across runs,
// machines or Node versions, nor depending on what the cache holds — and never parse special
// tokens out of plain text (llama.cpp's parse_special = false: "<|endoftext|>" is just text).
import { createHash } from 'node:crypto';
import type { GgufFile } from '../gguf/reader.ts';
import { optionalArray, requireArray, requireScalar } from '../gguf/metadata.ts';
import { BYTE_TO_CODE_POINT, CODE_POINT_TO_BYTE } from './byteLevel.ts';
import { charClasses, gpt2PieceEnd } from './gpt2Split.ts';
import type { EncodeResult, Tokenizer } from './tokenizer.ts';
import { CLASS_RUNS, UNICODE_VERSION } from './unicodeData.ts';

export class BpeVocabError extends Error {
  override readonly name = 'BpeVocabError';
}

export interface Gpt2BpeVocab {
  /** Token strings in GPT-2's byte-level alphabet, indexed by id. */
  readonly tokens: readonly string[];
  /** "left right" pairs, lowest rank (highest priority) first. */
  readonly merges: readonly string[];
  /** llama.cpp token types (1 normal, 3 control, 4 user-defined, …); only decoding reads them. */
  readonly tokenTypes?: ArrayLike<number>;
}

/**
 * Part of every tokenizer id: a change in how text is split must change the id. The class table
 * itself is hashed, not only its version name; bump the rule tag if the scanner's rules change.
 */
const PRE_TOKENIZER = `gpt2-split/rules-1/unicode-${UNICODE_VERSION}/${CLASS_RUNS}`;
const TOKEN_TYPE_CONTROL = 3;
const TOKEN_TYPE_USER_DEFINED = 4;
/** Pieces longer than this (runs of spaces, long CJK sentences) are encoded but not cached. */
const MAX_CACHED_PIECE = 128;
/** The cache is dropped whole when it grows this large; it only saves time, never changes a result. */
const MAX_CACHE_ENTRIES = 1 << 18;
const EMPTY = -1;
const TWO_32 = 4294967296;

/** Builds the tokenizer from a parsed vocabulary GGUF (see readGguf). */
export function gpt2BpeFromGguf(file: GgufFile): Gpt2BpeTokenizer {
  const md = file.metadata;
  const model = requireScalar(md, 'tokenizer.ggml.model', 'string');
  if (model !== 'gpt2') throw new BpeVocabError(`tokenizer.ggml.model is "${model}"; byte-level BPE needs "gpt2"`);
  // Other pre-tokenizer names select other regexes in llama.cpp; accepting them would give wrong ids.
  const pre = requireScalar(md, 'tokenizer.ggml.pre', 'string');
  if (pre !== 'gpt-2') throw new BpeVocabError(`tokenizer.ggml.pre is "${pre}"; only GPT-2's pre-tokenizer ("gpt-2") is implemented`);
  const tokens = requireArray(md, 'tokenizer.ggml.tokens', 'string');
  const merges = requireArray(md, 'tokenizer.ggml.merges', 'string');
  const tokenTypes = optionalArray(md, 'tokenizer.ggml.token_type', 'i32');
  if (tokenTypes !== undefined && tokenTypes.length !== tokens.length) {
    throw new BpeVocabError(`tokenizer.ggml.token_type has ${tokenTypes.length} entries for ${tokens.length} tokens`);
  }
  return new Gpt2BpeTokenizer({ tokens, merges, tokenTypes });
}

export class Gpt2BpeTokenizer implements Tokenizer {
  readonly id: string;
  readonly vocabSize: number;

  private readonly tokens: readonly string[];
  private readonly tokenTypes: ArrayLike<number> | undefined;
  /** The single-byte token of each byte value. */
  private readonly byteToken = new Uint32Array(256);
  // Merge table: open addressing on (left, right) → rank; per rank, the merged token.
  private readonly pairLeft: Int32Array;
  private readonly pairRight: Int32Array;
  private readonly pairRank: Int32Array;
  private readonly pairMask: number;
  private readonly rankResult: Int32Array;
  private readonly classes = charClasses();
  /** Piece → interleaved [id, UTF-16 offset within the piece, …]. */
  private cache = new Map<string, Uint32Array>();
  private tokenBytes: Uint8Array[] | undefined;
  // Scratch space for encoding one piece, grown as needed and reused.
  private bytes = new Uint8Array(256);
  private byteChar = new Uint32Array(256);
  private sym = new Int32Array(256);
  private next = new Int32Array(256);
  private prev = new Int32Array(256);
  private heap = new Float64Array(1024);

  constructor(vocab: Gpt2BpeVocab) {
    const { tokens, merges } = vocab;
    this.tokens = tokens;
    this.tokenTypes = vocab.tokenTypes;
    this.vocabSize = tokens.length;
    if (tokens.length === 0 || tokens.length > 0x7fffffff) throw new BpeVocabError(`a vocabulary of ${tokens.length} tokens`);
    // Heap keys are rank × 2³² + position in a double: exact while rank < 2²¹.
    if (merges.length > 1 << 21) throw new BpeVocabError(`${merges.length} merges; at most ${1 << 21} are supported`);

    // As in llama.cpp, a string listed twice maps to its last id.
    const idOf = new Map<string, number>();
    tokens.forEach((t, i) => idOf.set(t, i));
    for (let b = 0; b < 256; b += 1) {
      const id = idOf.get(String.fromCharCode(BYTE_TO_CODE_POINT[b]!));
      if (id === undefined) throw new BpeVocabError(`byte 0x${b.toString(16).padStart(2, '0')} has no token: not a byte-level vocabulary`);
      this.byteToken[b] = id;
    }

    let capacity = 1024;
    while (capacity < merges.length * 2) capacity *= 2;
    this.pairMask = capacity - 1;
    this.pairLeft = new Int32Array(capacity).fill(EMPTY);
    this.pairRight = new Int32Array(capacity);
    this.pairRank = new Int32Array(capacity);
    this.rankResult = new Int32Array(merges.length).fill(EMPTY);
    merges.forEach((m, rank) => {
      // The separator is the first space after the first character (tokens hold no spaces: " " is "Ġ").
      const sp = m.indexOf(' ', 1);
      if (sp < 0) throw new BpeVocabError(`merge #${rank} ${JSON.stringify(m)} is not "left right"`);
      const left = idOf.get(m.slice(0, sp));
      const right = idOf.get(m.slice(sp + 1));
      // A merge of a string that is no token can never apply: every symbol is a token.
      if (left === undefined || right === undefined) return;
      const merged = idOf.get(m.slice(0, sp) + m.slice(sp + 1));
      if (merged === undefined) throw new BpeVocabError(`merge #${rank} ${JSON.stringify(m)} makes a string that is not in the vocabulary`);
      // The first (lowest-ranked) occurrence of a pair wins, as in llama.cpp.
      if (this.rankOf(left, right) !== EMPTY) return;
      let h = this.hash(left, right);
      while (this.pairLeft[h] !== EMPTY) h = (h + 1) & this.pairMask;
      this.pairLeft[h] = left;
      this.pairRight[h] = right;
      this.pairRank[h] = rank;
      this.rankResult[rank] = merged;
    });

    this.id = `gpt2-bpe:${fingerprint(vocab)}`;
  }

  encode(text: string): EncodeResult {
    const len = text.length;
    let capacity = (len >> 2) + 16;
    let ids = new Uint32Array(capacity);
    let offsets = new Uint32Array(capacity + 1);
    let n = 0;
    const classes = this.classes;
    const cache = this.cache;
    for (let pos = 0; pos < len; ) {
      const end = gpt2PieceEnd(text, pos, classes);
      const piece = text.slice(pos, end);
      let enc = cache.get(piece);
      if (enc === undefined) {
        enc = this.encodePiece(piece);
        if (piece.length <= MAX_CACHED_PIECE) {
          if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
          cache.set(detach(piece), enc);
        }
      }
      const m = enc.length;
      if (n + (m >> 1) > capacity) {
        capacity = Math.max(capacity * 2, n + (m >> 1));
        const ids2 = new Uint32Array(capacity);
        ids2.set(ids.subarray(0, n));
        ids = ids2;
        const offsets2 = new Uint32Array(capacity + 1);
        offsets2.set(offsets.subarray(0, n));
        offsets = offsets2;
      }
      for (let k = 0; k < m; k += 2) {
        ids[n] = enc[k]!;
        offsets[n] = pos + enc[k + 1]!;
        n += 1;
      }
      pos = end;
    }
    offsets[n] = len;
    return { ids: ids.slice(0, n), offsets: offsets.slice(0, n + 1) };
  }

  decode(ids: ArrayLike<number>): string {
    const bytes = this.tokenBytes ?? (this.tokenBytes = this.buildTokenBytes());
    let total = 0;
    for (let i = 0; i < ids.length; i += 1) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`token id ${id} at position ${i} is outside the vocabulary (size ${this.vocabSize})`);
      total += bytes[id]!.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i += 1) {
      const b = bytes[ids[i]!]!;
      out.set(b, at);
      at += b.length;
    }
    // Tokens can end inside a character; an incomplete sequence becomes U+FFFD, as WHATWG defines.
    return DECODER.decode(out);
  }

  /** Encodes one pre-token: UTF-8 bytes, single-byte tokens, then merges by rank. */
  private encodePiece(piece: string): Uint32Array {
    // UTF-8 encode, remembering for each byte where its character starts in the piece.
    if (this.bytes.length < piece.length * 3) this.grow(piece.length * 3);
    const bytes = this.bytes;
    const byteChar = this.byteChar;
    let nb = 0;
    for (let i = 0; i < piece.length; i += 1) {
      let c = piece.charCodeAt(i);
      const start = i;
      if (c < 0x80) {
        byteChar[nb] = start;
        bytes[nb++] = c;
        continue;
      }
      if (c < 0x800) {
        byteChar[nb] = byteChar[nb + 1] = start;
        bytes[nb++] = 0xc0 | (c >> 6);
        bytes[nb++] = 0x80 | (c & 0x3f);
        continue;
      }
      if ((c & 0xf800) === 0xd800) {
        const lo = i + 1 < piece.length ? piece.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (lo & 0xfc00) === 0xdc00) {
          c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          i += 1;
          byteChar[nb] = byteChar[nb + 1] = byteChar[nb + 2] = byteChar[nb + 3] = start;
          bytes[nb++] = 0xf0 | (c >> 18);
          bytes[nb++] = 0x80 | ((c >> 12) & 0x3f);
          bytes[nb++] = 0x80 | ((c >> 6) & 0x3f);
          bytes[nb++] = 0x80 | (c & 0x3f);
          continue;
        }
        c = 0xfffd; // a lone surrogate: what TextEncoder writes for it
      }
      byteChar[nb] = byteChar[nb + 1] = byteChar[nb + 2] = start;
      bytes[nb++] = 0xe0 | (c >> 12);
      bytes[nb++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[nb++] = 0x80 | (c & 0x3f);
    }

    const sym = this.sym;
    for (let i = 0; i < nb; i += 1) sym[i] = this.byteToken[bytes[i]!]!;
    const out = new Uint32Array(this.merge(nb) * 2);
    let k = 0;
    for (let i = 0; i !== EMPTY; i = this.next[i]!) {
      out[k++] = sym[i]!;
      out[k++] = byteChar[i]!;
    }
    return out;
  }

  /**
   * Merges sym[0..n) in place, lowest (rank, position) first, with a min-heap of candidate pairs
   * and a linked list of live symbols: O(n log n), so that a 10,000-byte piece costs no more than
   * it must. A heap entry is stale when its pair no longer has that rank: ranks identify pairs, so
   * comparing the rank suffices. Returns the number of symbols left; walk them with `next`.
   */
  private merge(n: number): number {
    const { sym, next, prev } = this;
    let heap = this.heap;
    let size = 0;
    for (let i = 0; i < n; i += 1) {
      next[i] = i + 1 < n ? i + 1 : EMPTY;
      prev[i] = i - 1;
    }
    const push = (rank: number, pos: number): void => {
      if (size === heap.length) {
        const h2 = new Float64Array(heap.length * 2);
        h2.set(heap);
        heap = this.heap = h2;
      }
      const key = rank * TWO_32 + pos;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent]! <= key) break;
        heap[i] = heap[parent]!;
        i = parent;
      }
      heap[i] = key;
    };
    for (let i = 0; i + 1 < n; i += 1) {
      const r = this.rankOf(sym[i]!, sym[i + 1]!);
      if (r !== EMPTY) push(r, i);
    }
    let live = n;
    while (size > 0) {
      const top = heap[0]!;
      // Pop: move the last entry down from the root.
      const last = heap[--size]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const c = l + 1 < size && heap[l + 1]! < heap[l]! ? l + 1 : l;
        if (heap[c]! >= last) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;

      const rank = Math.floor(top / TWO_32);
      const left = top - rank * TWO_32;
      const right = next[left]!;
      if (sym[left] === EMPTY || right === EMPTY || this.rankOf(sym[left]!, sym[right]!) !== rank) continue;
      sym[left] = this.rankResult[rank]!;
      sym[right] = EMPTY;
      const after = next[right]!;
      next[left] = after;
      if (after !== EMPTY) prev[after] = left;
      live -= 1;
      const before = prev[left]!;
      if (before !== EMPTY) {
        const r = this.rankOf(sym[before]!, sym[left]!);
        if (r !== EMPTY) push(r, before);
      }
      if (after !== EMPTY) {
        const r = this.rankOf(sym[left]!, sym[after]!);
        if (r !== EMPTY) push(r, left);
      }
    }
    return live;
  }

  private hash(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca6b)) & this.pairMask;
  }

  /** The rank of merging (left, right), or EMPTY when they do not merge. */
  private rankOf(left: number, right: number): number {
    const mask = this.pairMask;
    for (let h = this.hash(left, right); ; h = (h + 1) & mask) {
      const l = this.pairLeft[h]!;
      if (l === EMPTY) return EMPTY;
      if (l === left && this.pairRight[h] === right) return this.pairRank[h]!;
    }
  }

  private grow(n: number): void {
    this.bytes = new Uint8Array(n);
    this.byteChar = new Uint32Array(n);
    this.sym = new Int32Array(n);
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n);
    if (this.heap.length < 3 * n) this.heap = new Float64Array(3 * n);
  }

  /** Each token's bytes: byte-level tokens through the alphabet, control and user-defined tokens as their text. */
  private buildTokenBytes(): Uint8Array[] {
    return this.tokens.map((t, id) => {
      const type = this.tokenTypes?.[id];
      if (type === TOKEN_TYPE_CONTROL || type === TOKEN_TYPE_USER_DEFINED) return Buffer.from(t, 'utf8');
      const out: number[] = [];
      for (const ch of t) {
        const cp = ch.codePointAt(0)!;
        const b = cp < CODE_POINT_TO_BYTE.length ? CODE_POINT_TO_BYTE[cp]! : -1;
        // A character outside the byte alphabet (never in GPT-2's own tokens) stands for itself.
        if (b >= 0) out.push(b);
        else out.push(...Buffer.from(ch, 'utf8'));
      }
      return Uint8Array.from(out);
    });
  }
}

/**
 * A copy of `s` that shares no memory with the text it was sliced from: V8 represents slices of
 * 13+ characters as views of their parent, and a cache key must not keep a whole corpus alive.
 */
function detach(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

const DECODER = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * First 16 hex of SHA-256 over the pre-tokenizer (rules and class table), the tokens, their
 * types and the merges, serialised as one JSON array: JSON.stringify of strings and numbers is
 * fully specified, so the bytes hashed are the same on every machine.
 */
function fingerprint(vocab: Gpt2BpeVocab): string {
  const types = vocab.tokenTypes === undefined ? null : Array.from(vocab.tokenTypes);
  const json = JSON.stringify([PRE_TOKENIZER, vocab.tokens, types, vocab.merges]);
  return createHash('sha256').update(json, 'utf8').digest('hex').slice(0, 16);
}
