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
