// One shard of an attribution index: the token text of a set of contributions (each
// document ended by a separator token), its suffix array, and the sorted document
// starts that map a position back to its contribution. Immutable once built.
import { suffixArray, type TokenText } from './sais.ts';

export interface Shard {
  /** Every document's tokens followed by the separator (= vocabSize). */
  readonly tokens: TokenText;
  /** Suffix array of `tokens`. */
  readonly sa: Int32Array;
  /** Token offset where each document starts, ascending. */
  readonly docStarts: Uint32Array;
  /** The contribution id of each document, in the same order. */
  readonly docIds: Float64Array;
  readonly vocabSize: number;
  readonly tokenizerId: string;
}

export interface ShardDocument {
  id: number;
  tokens: ArrayLike<number>;
}

export class ShardError extends Error {
  override readonly name = 'ShardError';
}

/** Builds a shard. Documents are laid out in ascending id order, so the same set always gives the same bytes. */
export function buildShard(
  docs: ShardDocument[],
  vocabSize: number,
  tokenizerId: string,
  onProgress?: (done: number, total: number) => void,
): Shard {
  const sorted = [...docs].sort((a, b) => a.id - b.id);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i].id === sorted[i - 1].id) throw new ShardError(`document ${sorted[i].id} appears twice`);
  const total = sorted.reduce((s, d) => s + d.tokens.length + 1, 0);
  const tokens: TokenText = vocabSize + 1 <= 0x10000 ? new Uint16Array(total) : new Uint32Array(total);
  const docStarts = new Uint32Array(sorted.length);
  const docIds = new Float64Array(sorted.length);
  let at = 0;
  sorted.forEach((d, k) => {
    docStarts[k] = at;
    docIds[k] = d.id;
    for (let i = 0; i < d.tokens.length; i++) {
      const t = d.tokens[i];
      if (!(t >= 0 && t < vocabSize)) throw new ShardError(`document ${d.id}: token ${t} at ${i} is outside the vocabulary of ${vocabSize}`);
      tokens[at++] = t;
    }
    tokens[at++] = vocabSize;
  });
  const sa = suffixArray(tokens, vocabSize + 1, onProgress);
  return { tokens, sa, docStarts, docIds, vocabSize, tokenizerId };
}

/** Index (into docStarts/docIds) of the document holding token position `pos`. */
export function docIndexAt(shard: Shard, pos: number): number {
  const starts = shard.docStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Tokens of document `k`, without its separator. */
export function docLength(shard: Shard, k: number): number {
  const end = k + 1 < shard.docStarts.length ? shard.docStarts[k + 1] : shard.tokens.length;
  return end - shard.docStarts[k] - 1;
}
