// Attribution of one text against a set of shards: tokenize with the index's own
// tokenizer, find the maximal spans, score them, and report each span with its
// character offsets in the text so that a client can highlight it. Same shards, same
// tombstones, same text: same bytes out.
import { score, type ContributionShare } from './score.ts';
import { findSpans, type ShardView } from './spans.ts';
import type { Tokenizer } from './tokenizer/tokenizer.ts';

export const DEFAULT_MIN_SPAN = 8;
export const DEFAULT_MAX_OCCURRENCES = 64;

export interface AttributionParams {
  minSpan?: number;
  maxOccurrences?: number;
  /**
   * Contributions flagged as repeating earlier ones: on a span that an earlier one it
   * repeats also holds, the repeat gets no share (the first contributor keeps the credit).
   */
  repeats?: ReadonlyMap<number, readonly number[]>;
}

export interface AttributedSpan {
  /** UTF-16 offsets [start, end) in the text. */
  start: number;
  end: number;
  tokenStart: number;
  tokenEnd: number;
  text: string;
  /** Live occurrences in the index; null when too common to credit anyone. */
  count: number | null;
  contributions: number[];
}

export interface Attribution {
  tokenizer: string;
  tokens: number;
  indexTokens: number;
  minSpan: number;
  maxOccurrences: number;
  attributedPpm: number;
  unattributedPpm: number;
  contributions: ContributionShare[];
  spans: AttributedSpan[];
}

export function attribute(tokenizer: Tokenizer, views: ShardView[], liveTokens: number, text: string, params: AttributionParams = {}): Attribution {
  const minSpan = params.minSpan ?? DEFAULT_MIN_SPAN;
  const maxOccurrences = params.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES;
  for (const v of views)
    if (v.shard.tokenizerId !== tokenizer.id)
      throw new Error(`shard was built with tokenizer ${v.shard.tokenizerId}, not ${tokenizer.id}`);
  const { ids, offsets } = tokenizer.encode(text);
  const repeats = params.repeats;
  const spans = findSpans(views, ids, { minSpan, maxOccurrences }).map((s) =>
    repeats && repeats.size > 0
      ? { ...s, contributions: s.contributions.filter((c) => !(repeats.get(c) ?? []).some((o) => s.contributions.includes(o))) }
      : s,
  );
  const scored = score(spans, ids.length, liveTokens, maxOccurrences);
  return {
    tokenizer: tokenizer.id,
    tokens: ids.length,
    indexTokens: liveTokens,
    minSpan,
    maxOccurrences,
    ...scored,
    spans: spans.map((s) => {
      const [start, end] = trimmed(text, offsets[s.start], offsets[s.end]);
      return { start, end, tokenStart: s.start, tokenEnd: s.end, text: text.slice(start, end), count: s.count, contributions: s.contributions };
    }),
  };
}

/** Narrows [start, end) past whitespace at either edge: tokens often carry a leading space, a highlight should not. */
function trimmed(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return [start, end];
}
