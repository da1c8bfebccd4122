// Registered models on the wire: OpenAI's model-list shape, with each version's
// provenance, fee policy and usage under `tributary`. Shapes only, for Node and the browser.
import { z } from 'zod';
import { Amount } from './common.ts';

const Shares = z.object({ data: z.number().int(), owner: z.number().int(), compute: z.number().int(), treasury: z.number().int() });
const Usage = z.object({
  inferences: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  fees: Amount,
  data: Amount,
  owner: Amount,
  compute: Amount,
  treasury: Amount,
});
const Tributary = z.object({
  name: z.string(),
  version: z.number().int(),
  owner: z.string(),
  datanet: z.string(),
  snapshot: z.number().int(),
  snapshotRoot: z.string(),
  base: z.string(),
  adapter: z.string(),
  policy: z.object({ pricePer1kInput: Amount, pricePer1kOutput: Amount, shares: Shares, baselineBps: z.number().int() }),
  trainingContributions: z.number().int(),
  trainingTokens: z.number().int(),
  training: z
    .object({ job: z.number().int(), configHash: z.string(), trainerVersion: z.string(), evalLoss: z.number(), baseEvalLoss: z.number(), worker: z.string() })
    .optional()
    .describe('How the adapter was made, when a training job on this node made it'),
  registeredAt: z.number().int().describe('Log index of the RegisterModel entry'),
  usage: Usage,
});
/** One entry of GET /v1/models (OpenAI's list shape, with the node's `tributary` details). */
export const ModelInfo = z.object({
  id: z.string().describe('name@version'),
  object: z.literal('model'),
  created: z.number().int().describe('Unix seconds'),
  owned_by: z.string(),
  tributary: Tributary,
});
export type ModelInfo = z.infer<typeof ModelInfo>;
export const ModelList = z.object({ object: z.literal('list'), data: z.array(ModelInfo) });

export const ModelId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}@[1-9][0-9]{0,15}$/, 'must be name@version, e.g. demo-river@1');
