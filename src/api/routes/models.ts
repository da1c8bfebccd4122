// Registered models. `/v1/models` answers in OpenAI's list shape, so that OpenAI clients
// can list them, and carries each version's provenance, fee policy and usage beside it.
// Registration itself is a signed RegisterModel through POST /v1/actions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { findModel, type ModelRecord, modelUsage, moneyKeys } from '../../settlement/records.ts';
import { Amount, errorResponses } from '../schemas.ts';

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
const Model = z.object({
  id: z.string().describe('name@version'),
  object: z.literal('model'),
  created: z.number().int().describe('Unix seconds'),
  owned_by: z.string(),
  tributary: Tributary,
});
const ModelId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}@[1-9][0-9]{0,15}$/, 'must be name@version, e.g. demo-river@1');

export function modelRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const view = (m: ModelRecord) => {
    const { id, time, ...rest } = m;
    return {
      id,
      object: 'model' as const,
      created: Math.floor(time / 1000),
      owned_by: m.owner,
      tributary: { ...rest, usage: modelUsage(node.money.view(moneyKeys.modelUsage(id))) },
    };
  };
  return async (app) => {
    app.get('/v1/models', {
      schema: { tags: ['models'], summary: 'Every registered model version (OpenAI list shape)', response: { 200: z.object({ object: z.literal('list'), data: z.array(Model) }) } },
      handler: async () => {
        const data = [];
        for (const [, n] of node.state.list<{ name: string }>(moneyKeys.modelNamePrefix))
          for (const [, m] of node.state.list<ModelRecord>(moneyKeys.modelVersionPrefix(n.name))) data.push(view(m));
        return { object: 'list' as const, data };
      },
    });
    app.get('/v1/models/:id', {
      schema: { tags: ['models'], summary: 'One model version', params: z.object({ id: ModelId }), response: { 200: Model, ...errorResponses } },
      handler: async (req) => {
        const m = findModel(node.state, req.params.id);
        if (!m) throw reject.notFound('id', `no model ${req.params.id}`);
        return view(m);
      },
    });
  };
}
