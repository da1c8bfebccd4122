// Exact span matching over suffix arrays: for every position of a query, the longest
// run of tokens that also occurs in a live (not withdrawn) document of some shard, and
// from those the maximal spans, with the contributions that contain each. Results
// depend only on which documents are live, never on how they are split into shards.
import { docIndexAt, type Shard } from './shard.ts';

export interface ShardView {
  shard: Shard;
  /** Contribution ids withdrawn since the shard was built: honoured here until a merge drops them. */
  tombstones: ReadonlySet<number>;
}

export interface MatchOptions {
  /** Shortest span reported, in tokens. */
  minSpan: number;
  /** A span found in more live places than this is too common to credit anyone. */
  maxOccurrences: number;
}

export interface SpanMatch {
  /** Token range [start, end) in the query. */
  start: number;
  end: number;
  /** Live occurrences in the index, or null when there are more than maxOccurrences. */
  count: number | null;
  /** Distinct contribution ids holding the span, ascending; empty when too common. */
  contributions: number[];
}

function isLive(view: ShardView, pos: number): boolean {
  if (view.tombstones.size === 0) return true;
  return !view.tombstones.has(view.shard.docIds[docIndexAt(view.shard, pos)]);
}

/** Whether any suffix in sa[lo, hi) starts in a live document. */
function rangeIsLive(view: ShardView, lo: number, hi: number): boolean {
  if (hi <= lo) return false;
  if (view.tombstones.size === 0) return true;
  const sa = view.shard.sa;
  for (let x = lo; x < hi; x++) if (isLive(view, sa[x])) return true;
  return false;
}

/**
 * Narrows sa[lo, hi), whose suffixes all share `depth` tokens, to those whose next token
 * is `token`. Returns the new range packed as lo * 2^32 + hi... as two numbers via out.
 */
function narrow(shard: Shard, lo: number, hi: number, depth: number, token: number, out: Int32Array): void {
  const sa = shard.sa;
  const text = shard.tokens;
  // Lower bound: first suffix whose token at `depth` is >= token.
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (text[sa[mid] + depth] < token) a = mid + 1;
    else b = mid;
  }
  const first = a;
  b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (text[sa[mid] + depth] <= token) a = mid + 1;
    else b = mid;
  }
  out[0] = first;
  out[1] = a;
}

interface Longest {
  len: number;
  lo: number;
  hi: number;
}

/** The longest prefix of query[at..] that occurs live in the shard, and its SA range. */
function longestAt(view: ShardView, query: ArrayLike<number>, at: number, out: Int32Array): Longest {
  const shard = view.shard;
  let lo = 0;
  let hi = shard.sa.length;
  let len = 0;
  while (at + len < query.length) {
    narrow(shard, lo, hi, len, query[at + len], out);
    if (!rangeIsLive(view, out[0], out[1])) break;
    lo = out[0];
    hi = out[1];
    len++;
  }
  return { len, lo, hi };
}

/** Matching statistics: for each query position, the longest live match over all shards. */
export function matchingStatistics(views: ShardView[], query: ArrayLike<number>): { lengths: Int32Array; best: Longest[][] } {
  const out = new Int32Array(2);
  const lengths = new Int32Array(query.length);
  const best: Longest[][] = [];
  for (let i = 0; i < query.length; i++) {
    const per = views.map((v) => longestAt(v, query, i, out));
    best.push(per);
    lengths[i] = per.reduce((m, l) => Math.max(m, l.len), 0);
  }
  return { lengths, best };
}

/** Maximal matched spans of at least minSpan tokens, with who holds them. */
export function findSpans(views: ShardView[], query: ArrayLike<number>, opts: MatchOptions): SpanMatch[] {
  const { lengths, best } = matchingStatistics(views, query);
  const spans: SpanMatch[] = [];
  for (let i = 0; i < query.length; i++) {
    const len = lengths[i];
    if (len < opts.minSpan) continue;
    // Contained in the previous position's match: not maximal.
    if (i > 0 && len <= lengths[i - 1] - 1) continue;
    spans.push({ start: i, end: i + len, ...occurrences(views, best[i], len, opts.maxOccurrences) });
  }
  return spans;
}

/** Live occurrences of a span whose per-shard SA ranges are known, up to a cap. */
function occurrences(views: ShardView[], per: Longest[], len: number, cap: number): { count: number | null; contributions: number[] } {
  const ids = new Set<number>();
  let count = 0;
  for (let s = 0; s < views.length; s++) {
    const { len: l, lo, hi } = per[s];
    if (l < len) continue;
    // The range is for exactly `len` tokens here, since len is the maximum over shards.
    const view = views[s];
    for (let x = lo; x < hi; x++) {
      const k = docIndexAt(view.shard, view.shard.sa[x]);
      const id = view.shard.docIds[k];
      if (view.tombstones.has(id)) continue;
      if (++count > cap) return { count: null, contributions: [] };
      ids.add(id);
    }
  }
  return { count, contributions: [...ids].sort((a, b) => a - b) };
}
