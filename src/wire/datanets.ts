// Datanets on the wire: a datanet with its counts and duplicate policy, its
// contributions and its versions (snapshots), and the queries that page them. Shapes
// only, for Node and the browser; the records they are read from live in src/datanets.
import { z } from 'zod';
import { Count } from './common.ts';

export const ContributionStatus = z.enum(['pending', 'accepted', 'rejected', 'withdrawn']);
export type ContributionStatus = z.infer<typeof ContributionStatus>;

const Counts = z.object({ pending: z.number(), accepted: z.number(), rejected: z.number(), withdrawn: z.number(), snapshots: z.number() });
export const Datanet = z.object({
  name: z.string(),
  description: z.string(),
  license: z.string(),
  kind: z.enum(['text', 'jsonl']),
  schema: z.string(),
  policy: z.enum(['open', 'curated']),
  curators: z.array(z.string()),
  owner: z.string(),
  createdAt: z.number().int(),
  time: z.number().int(),
  counts: Counts,
  duplicates: z.object({ policy: z.enum(['off', 'flag', 'reject']), thresholdPpm: z.number().int(), minSpan: z.number().int() }),
});
export type Datanet = z.infer<typeof Datanet>;

export const Contribution = z.object({
  id: z.number().int(),
  datanet: z.string(),
  author: z.string(),
  contentHash: z.string(),
  size: z.number().int(),
  fileName: z.string(),
  mediaType: z.string(),
  status: ContributionStatus,
  reason: z.string(),
  decidedBy: z.string().nullable(),
  time: z.number().int(),
  duplicateOf: z.array(z.number().int()).optional().describe('Earlier contributions this one repeats (flagged at intake)'),
  coveragePpm: z.number().int().optional(),
});
export type Contribution = z.infer<typeof Contribution>;

export const Snapshot = z.object({
  datanet: z.string(),
  version: z.number().int(),
  logSize: z.number().int(),
  time: z.number().int(),
  root: z.string(),
  count: z.number().int(),
  bytes: z.number().int(),
  contributions: z.array(z.number().int()),
});
export type Snapshot = z.infer<typeof Snapshot>;

/** GET /v1/datanets/:name: the datanet and its versions (without their contribution lists). */
export const DatanetDetail = Datanet.extend({ snapshots: z.array(Snapshot.omit({ contributions: true })) });
export type DatanetDetail = z.infer<typeof DatanetDetail>;

export const DatanetList = z.object({ datanets: z.array(Datanet) });
export const ContributionList = z.object({ contributions: z.array(Contribution) });

export const ContributionsQuery = z.object({
  status: ContributionStatus.optional(),
  after: Count.optional().describe('Only ids greater than this (ascending order)'),
  before: Count.optional().describe('Only ids smaller than this (descending order)'),
  order: z.enum(['asc', 'desc']).default('asc'),
  limit: Count.min(1).max(1000).default(100),
});
/** What a caller may give (every field optional; the node fills the defaults). */
export type ContributionsQuery = z.input<typeof ContributionsQuery>;
