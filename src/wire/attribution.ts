// Proof of Attribution on the wire: the question (a text and the scope to attribute it
// against), the answer (weights in ppm, matched spans), and the state of an index. Shapes
// only, for Node and the browser; the limits a node sets (how long a text) are passed in.
import { z } from 'zod';
import { DatanetName } from './common.ts';

const Share = z.object({ contribution: z.number().int(), ppm: z.number().int(), weight: z.string(), spans: z.number().int() });
const Span = z.object({
  start: z.number().int(),
  end: z.number().int(),
  tokenStart: z.number().int(),
  tokenEnd: z.number().int(),
  text: z.string(),
  count: z.number().int().nullable(),
  contributions: z.array(z.number().int()),
});
export const AttributionResult = z.object({
  scope: z.object({ datanet: z.string(), version: z.number().int().optional(), logSize: z.number().int() }),
  tokenizer: z.string(),
  tokens: z.number().int(),
  indexTokens: z.number().int(),
  minSpan: z.number().int(),
  maxOccurrences: z.number().int(),
  attributedPpm: z.number().int(),
  unattributedPpm: z.number().int(),
  contributions: z.array(Share),
  spans: z.array(Span),
});
export type AttributionResult = z.infer<typeof AttributionResult>;

export const IndexStatus = z.object({
  datanet: z.string(),
  version: z.number().int().nullable(),
  part: z.object({ index: z.number().int(), of: z.number().int() }).describe('This node indexes the contributions whose id % of == index (TRIBUTARY_ATTRIBUTION_SHARD)'),
  tokenizer: z.string(),
  logSize: z.number().int(),
  shards: z.array(z.object({ file: z.string(), tier: z.number().int(), documents: z.number().int(), tokens: z.number().int(), bytes: z.number().int() })),
  tombstones: z.number().int(),
  documents: z.number().int(),
  liveDocuments: z.number().int(),
  liveTokens: z.number().int(),
  building: z.object({ phase: z.string(), done: z.number(), total: z.number() }).nullable(),
});
export type IndexStatus = z.infer<typeof IndexStatus>;
export const IndexStatusList = z.object({ indexes: z.array(IndexStatus) });

/** What to attribute against: exactly one of these (the node checks that, with the reason). */
export const AttributionScope = {
  datanet: DatanetName.optional().describe('Attribute against the datanet as it is now'),
  snapshot: z.strictObject({ datanet: DatanetName, version: z.number().int().min(1) }).optional().describe('Attribute against one version of a datanet'),
  model: z.string().max(200).optional().describe('Attribute against the training data of a model version (name@version): the datanet version it was trained on'),
};

/** POST /v1/attribution's body; `maxText` is the longest text the node attributes. */
export function attributionRequest(maxText: number) {
  return z.strictObject({
    ...AttributionScope,
    text: z.string().max(maxText, `must be at most ${maxText} characters`),
    minSpan: z.number().int().min(1).max(1024).optional().describe('Shortest span credited, in tokens (default 8)'),
    maxOccurrences: z.number().int().min(1).max(1024).optional().describe('Spans found in more places credit nobody (default 64)'),
  });
}
export type AttributionRequest = z.input<ReturnType<typeof attributionRequest>>;

/** POST /v1/attribution/indexes' body. */
export const BuildIndexRequest = z.strictObject({ datanet: DatanetName, version: z.number().int().min(1).optional() });
export type BuildIndexRequest = z.infer<typeof BuildIndexRequest>;

/**
 * POST /v1/attribution/shard-query's body, between nodes that split an index: what a node
 * asks each part for, the spans of a text in one scope. The text travels, not its token
 * ids: it is the smaller (ids take ~1.7 times its bytes in JSON for English), and a part
 * tokenizes it in about the time it would take to parse and check the ids. `maxText` is
 * the longest text the answering node takes.
 */
export function partQuery(maxText: number) {
  return z.strictObject({
    datanet: DatanetName,
    version: z.number().int().min(1).optional().describe('A version of the datanet instead of the datanet as it is now'),
    tokenizer: z.string().max(200).describe('The tokenizer the asking node uses; it must be the one this node indexes with'),
    text: z.string().max(maxText),
    tokens: z.number().int().min(0).describe('How many tokens the asking node made of the text; this node must make as many'),
    minSpan: z.number().int().min(1).max(1024),
    maxOccurrences: z.number().int().min(1).max(1024),
    mode: z.enum(['attribute', 'coverage']).describe('attribute: bring the index up to date first; coverage: use it as it stands'),
  });
}
export type PartQuery = z.infer<ReturnType<typeof partQuery>>;

const Int = z.number().int().min(0);

/** One part's answer: its spans of the query (findSpans over its shards) and what mergeSpans and scoring need besides. */
export const PartAnswer = z.object({
  part: z.object({ index: Int, of: Int.min(1) }),
  tokenizer: z.string(),
  /** The log size the part's index reflects. */
  logSize: Int,
  /**
   * A digest of the contributions the whole scope held when the part's index was last
   * brought up to date (all parts, not only this one's): parts agree on it when they were
   * built from the same contents. Null when the index was not brought up to date since start.
   */
  contents: z.string().nullable(),
  liveTokens: Int,
  spans: z.array(z.object({ start: Int, end: Int, count: Int.nullable(), contributions: z.array(Int) })),
});
export type PartAnswer = z.infer<typeof PartAnswer>;
