// GPT-2's pre-tokenizer: cuts text into the pieces that BPE then encodes one by one, exactly as
// the regex 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+ does,
// with \s meaning Unicode White_Space (as llama.cpp reads it). It is a hand-written scanner over
// UTF-16 rather than that regex because (1) the character classes come from a frozen table, so
// that the same text splits the same way under every Node version, and (2) it reports UTF-16
// positions directly and runs faster. The regex stays the specification: the tests compare the
// two on random text. It must never depend on locale, case mapping or the engine's Unicode data.
import { CLASS_RUNS } from './unicodeData.ts';

export const OTHER = 0;
export const LETTER = 1;
export const NUMBER = 2;
export const SPACE = 3;

let table: Uint8Array | undefined;

/** The class of every code point (0x110000 bytes), decoded once from the frozen runs. */
export function charClasses(): Uint8Array {
  if (table !== undefined) return table;
  const t = new Uint8Array(0x110000);
  let cp = 0;
  for (const run of CLASS_RUNS.split(',')) {
    const length = parseInt(run.slice(1), 36);
    t.fill(run.charCodeAt(0) - 0x30, cp, cp + length);
    cp += length;
  }
  if (cp !== 0x110000) throw new Error(`unicodeData.ts covers ${cp} code points, want 0x110000`);
  table = t;
  return t;
}

const QUOTE = 0x27;

/**
 * End (exclusive UTF-16 index) of the pre-token that starts at `pos` (< text.length). A lone
 * surrogate counts as U+FFFD, the character it becomes in UTF-8.
 */
export function gpt2PieceEnd(text: string, pos: number, classes: Uint8Array): number {
  const len = text.length;
  const c = text.charCodeAt(pos);
  // 's|'t|'re|'ve|'m|'ll|'d — lowercase ASCII only, as in GPT-2.
  if (c === QUOTE && pos + 1 < len) {
    const c1 = text.charCodeAt(pos + 1);
    if (c1 === 0x73 || c1 === 0x74 || c1 === 0x6d || c1 === 0x64) return pos + 2;
    if (pos + 2 < len) {
      const c2 = text.charCodeAt(pos + 2);
      if ((c2 === 0x65 && (c1 === 0x72 || c1 === 0x76)) || (c1 === 0x6c && c2 === 0x6c)) return pos + 3;
    }
  }
  // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a run of one class.
  let p = pos;
  if (c === 0x20) {
    if (pos + 1 === len) return len;
    p = pos + 1;
  }
  let cp = text.charCodeAt(p);
  let w = 1;
  if ((cp & 0xf800) === 0xd800) [cp, w] = surrogate(text, p, cp);
  const k = classes[cp]!;
  if (k !== SPACE) {
    p += w;
    while (p < len) {
      cp = text.charCodeAt(p);
      w = 1;
      if ((cp & 0xf800) === 0xd800) [cp, w] = surrogate(text, p, cp);
      if (classes[cp] !== k) break;
      p += w;
    }
    return p;
  }
  // `\s+(?!\S)|\s+`: a run of white space, less its last character when something follows, so
  // that a following word keeps its leading space. White space is all in the BMP.
  let q = pos;
  while (q < len && classes[text.charCodeAt(q)] === SPACE) q += 1;
  return q < len && q - pos > 1 ? q - 1 : q;
}

/** [code point, width] of the surrogate at `p`: a pair, or a lone one read as U+FFFD. */
function surrogate(text: string, p: number, hi: number): [number, number] {
  if (hi < 0xdc00 && p + 1 < text.length) {
    const lo = text.charCodeAt(p + 1);
    if ((lo & 0xfc00) === 0xdc00) return [((hi - 0xd800) << 10) + (lo - 0xdc00) + 0x10000, 2];
  }
  return [0xfffd, 1];
}

/** The pre-tokens of `text`, as [start, end) UTF-16 ranges; for tests and tools, not the hot path. */
export function gpt2Pieces(text: string): Array<[number, number]> {
  const classes = charClasses();
  const out: Array<[number, number]> = [];
  for (let pos = 0; pos < text.length; ) {
    const end = gpt2PieceEnd(text, pos, classes);
    out.push([pos, end]);
    pos = end;
  }
  return out;
}
