// Attribution of one text against a set of shards: tokenize with the index's own
// tokenizer, find the maximal spans, score them, and report each span with its
// character offsets in the text so that a client can highlight it. Same shards, same
// tombstones, same text: same bytes out.
import { score, type ContributionShare } from './score.ts';
import { findSpans, type MatchOptions, type ShardView, type SpanMatch } from './spans.ts';
import type { EncodeResult, Tokenizer } from '../tokenizer/tokenizer.ts';

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
  for (const v of views)
    if (v.shard.tokenizerId !== tokenizer.id)
      throw new Error(`shard was built with tokenizer ${v.shard.tokenizerId}, not ${tokenizer.id}`);
  const encoded = tokenizer.encode(text);
  return attributeSpans(tokenizer.id, text, encoded, findSpans(views, encoded.ids, matchOptions(params)), liveTokens, params);
}

/** The matching options `params` ask for, defaults filled in. */
export function matchOptions(params: AttributionParams = {}): MatchOptions {
  return { minSpan: params.minSpan ?? DEFAULT_MIN_SPAN, maxOccurrences: params.maxOccurrences ?? DEFAULT_MAX_OCCURRENCES };
}

/**
 * The attribution of `text` from its maximal spans, however they were found: by findSpans
 * over one node's shards, or merged (mergeSpans) from the parts of an index that several
 * nodes hold, with `liveTokens` the live tokens of all of them.
 */
export function attributeSpans(tokenizerId: string, text: string, encoded: EncodeResult, found: SpanMatch[], liveTokens: number, params: AttributionParams = {}): Attribution {
  const { minSpan, maxOccurrences } = matchOptions(params);
  const { ids, offsets } = encoded;
  const repeats = params.repeats;
  const spans = found.map((s) =>
    repeats && repeats.size > 0
      ? { ...s, contributions: s.contributions.filter((c) => !(repeats.get(c) ?? []).some((o) => s.contributions.includes(o))) }
      : s,
  );
  const scored = score(spans, ids.length, liveTokens, maxOccurrences);
  return {
    tokenizer: tokenizerId,
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

/** Near-duplicate coverage from an attribution made with the coverage's minSpan and no repeats: the covered share, and by whom. */
export function coverageOf(a: Attribution): { coveredPpm: number; repeats: number[] } {
  return { coveredPpm: a.attributedPpm, repeats: a.contributions.map((c) => c.contribution).sort((x, y) => x - y) };
}

/** Narrows [start, end) past whitespace at either edge: tokens often carry a leading space, a highlight should not. */
function trimmed(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return [start, end];
}
