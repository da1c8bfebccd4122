// Exact span matching over suffix arrays: for every position of a query, the longest
// run of tokens that also occurs in a live (not withdrawn) document of some shard, and
// from those the maximal spans, with the contributions that contain each. Results
// depend only on which documents are live, never on how they are split into shards,
// nor over nodes: mergeSpans combines the spans of disjoint parts exactly.
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
 * is `token`. Writes the new range [lo, hi) into `out`.
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

/**
 * Where each first token's suffixes start in the SA (a counting pass over the text, once
 * per shard): it replaces the first ~log2(N) steps of every search with one lookup.
 */
const buckets = new WeakMap<Shard, Int32Array>();
/**
 * Builds the first-token table now rather than on the first query (call after loading a
 * shard), and returns it. It lives in shared memory like the shard, so that a query thread
 * handed both (adoptShardTable) need not rebuild it.
 */
export function prepareShard(shard: Shard): Int32Array {
  return bucketsOf(shard);
}

/** On a query thread: use the first-token table the loading thread built for this shard. */
export function adoptShardTable(shard: Shard, table: Int32Array): void {
  if (table.length !== shard.vocabSize + 2) throw new RangeError(`first-token table of ${table.length} entries, want ${shard.vocabSize + 2}`);
  buckets.set(shard, table);
}

function bucketsOf(shard: Shard): Int32Array {
  let b = buckets.get(shard);
  if (!b) {
    b = new Int32Array(new SharedArrayBuffer((shard.vocabSize + 2) * 4));
    const text = shard.tokens;
    for (let i = 0; i < text.length; i++) b[text[i] + 1]++;
    for (let t = 1; t < b.length; t++) b[t] += b[t - 1];
    buckets.set(shard, b);
  }
  return b;
}

/** Compares the suffix at `pos` with query[at, at+len): <0, 0 (it starts with it) or >0. */
function comparePrefix(text: Shard['tokens'], pos: number, query: ArrayLike<number>, at: number, len: number): number {
  for (let k = 0; k < len; k++) {
    const p = pos + k;
    const a = p < text.length ? text[p] : -1;
    const d = a - query[at + k];
    if (d !== 0) return d;
  }
  return 0;
}

/** The SA range of suffixes starting with query[at, at+len), len ≥ 1: one binary search per bound. */
function rangeOf(shard: Shard, query: ArrayLike<number>, at: number, len: number, out: Int32Array): void {
  const b = bucketsOf(shard);
  const t = query[at];
  const sa = shard.sa;
  const text = shard.tokens;
  let lo = b[t];
  let hi = b[t + 1];
  // One search until a match turns up (most novel text never finds one), then split
  // into the two bounds within what is left.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = comparePrefix(text, sa[mid], query, at, len);
    if (c < 0) lo = mid + 1;
    else if (c > 0) hi = mid;
    else {
      let a = lo;
      let z = mid;
      while (a < z) {
        const m = (a + z) >>> 1;
        if (comparePrefix(text, sa[m], query, at, len) < 0) a = m + 1;
        else z = m;
      }
      out[0] = a;
      a = mid + 1;
      z = hi;
      while (a < z) {
        const m = (a + z) >>> 1;
        if (comparePrefix(text, sa[m], query, at, len) <= 0) a = m + 1;
        else z = m;
      }
      out[1] = a;
      return;
    }
  }
  out[0] = lo;
  out[1] = lo;
}

/**
 * The longest prefix of query[at..] that occurs live in the shard, if it is at least
 * `floor` tokens long (else len 0), and its SA range. `known` tokens are already known
 * to occur live (the previous position's match less its first token): the search
 * starts at that depth. Below the floor one pattern search settles it, which is what
 * makes novel text cheap.
 */
function longestAt(view: ShardView, query: ArrayLike<number>, at: number, out: Int32Array, floor: number, known: number): Longest {
  const shard = view.shard;
  const start = Math.max(known, floor, 1);
  if (at + start > query.length) return { len: 0, lo: 0, hi: 0 };
  rangeOf(shard, query, at, start, out);
  if (!rangeIsLive(view, out[0], out[1])) return { len: 0, lo: 0, hi: 0 };
  let lo = out[0];
  let hi = out[1];
  let len = start;
  while (at + len < query.length) {
    narrow(shard, lo, hi, len, query[at + len], out);
    if (!rangeIsLive(view, out[0], out[1])) break;
    lo = out[0];
    hi = out[1];
    len++;
  }
  return { len, lo, hi };
}

/**
 * Matching statistics: for each query position, the longest live match over all shards
 * when it is at least `floor` tokens (shorter ones are reported as 0).
 */
export function matchingStatistics(views: ShardView[], query: ArrayLike<number>, floor = 1): { lengths: Int32Array; best: Longest[][] } {
  const out = new Int32Array(2);
  const lengths = new Int32Array(query.length);
  const best: Longest[][] = [];
  for (let i = 0; i < query.length; i++) {
    const prev = i > 0 ? best[i - 1] : undefined;
    const per = views.map((v, s) => longestAt(v, query, i, out, floor, prev && prev[s].len > 1 ? prev[s].len - 1 : 0));
    best.push(per);
    lengths[i] = per.reduce((m, l) => Math.max(m, l.len), 0);
  }
  return { lengths, best };
}

/** Maximal matched spans of at least minSpan tokens, with who holds them. */
export function findSpans(views: ShardView[], query: ArrayLike<number>, opts: MatchOptions): SpanMatch[] {
  const { lengths, best } = matchingStatistics(views, query, opts.minSpan);
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

/**
 * The spans findSpans would give over every shard of every part, from each part's own
 * findSpans (parts hold disjoint sets of documents: one node's shards each). A match
 * never crosses a document, so the longest match at a position is the longest over the
 * parts, and a part's own spans are enough to recover it: inside a part's span starting
 * at j, position i matches end − i tokens, and at a position where the overall longest
 * match starts a span, every part holding a match that long starts a span there too.
 * Counts of those parts add up (any part over the cap puts the sum over it), and their
 * contributions are the union.
 */
export function mergeSpans(parts: ReadonlyArray<readonly SpanMatch[]>, queryLength: number, opts: MatchOptions): SpanMatch[] {
  // furthest[i]: the furthest end of any span starting at i; the longest match at i is then
  // the furthest end of any span starting at or before i, less i.
  const furthest = new Int32Array(queryLength);
  const at = new Map<number, SpanMatch[]>();
  for (const spans of parts)
    for (const s of spans) {
      if (!(s.start >= 0 && s.end <= queryLength && s.end - s.start >= opts.minSpan))
        throw new RangeError(`span [${s.start}, ${s.end}) does not fit a query of ${queryLength} tokens with spans of ${opts.minSpan}+`);
      furthest[s.start] = Math.max(furthest[s.start], s.end);
      const list = at.get(s.start);
      if (list) list.push(s);
      else at.set(s.start, [s]);
    }
  const merged: SpanMatch[] = [];
  let reach = 0;
  let previous = 0;
  for (let i = 0; i < queryLength; i++) {
    reach = Math.max(reach, furthest[i]);
    const len = reach - i >= opts.minSpan ? reach - i : 0;
    // The same test as findSpans: long enough, and not inside the previous position's match.
    if (len > 0 && !(i > 0 && len <= previous - 1)) {
      const holders = (at.get(i) ?? []).filter((s) => s.end - s.start === len);
      if (holders.length === 0) throw new Error(`no part holds the span [${i}, ${i + len}) (merge bug, or parts that overlap)`);
      let count: number | null = 0;
      const ids = new Set<number>();
      for (const h of holders) {
        if (h.count === null || count === null) count = null;
        else count += h.count;
        for (const c of h.contributions) ids.add(c);
      }
      if (count !== null && count > opts.maxOccurrences) count = null;
      merged.push({ start: i, end: i + len, count, contributions: count === null ? [] : [...ids].sort((a, b) => a - b) });
    }
    previous = len;
  }
  return merged;
}
