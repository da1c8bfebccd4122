// Registered models. `/v1/models` answers in OpenAI's list shape, so that OpenAI clients
// can list them, and carries each version's provenance, fee policy and usage beside it.
// Registration itself is a signed RegisterModel through POST /v1/actions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { findModel, type ModelRecord, modelUsage, moneyKeys } from '../../settlement/records.ts';
import { errorResponses } from '../../wire/common.ts';
import { ModelId, ModelInfo, ModelList } from '../../wire/models.ts';

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
      schema: { tags: ['models'], summary: 'Every registered model version (OpenAI list shape)', response: { 200: ModelList } },
      handler: async () => {
        const data = [];
        for (const [, n] of node.state.list<{ name: string }>(moneyKeys.modelNamePrefix))
          for (const [, m] of node.state.list<ModelRecord>(moneyKeys.modelVersionPrefix(n.name))) data.push(view(m));
        return { object: 'list' as const, data };
      },
    });
    app.get('/v1/models/:id', {
      schema: { tags: ['models'], summary: 'One model version', params: z.object({ id: ModelId }), response: { 200: ModelInfo, ...errorResponses } },
      handler: async (req) => {
        const m = findModel(node.state, req.params.id);
        if (!m) throw reject.notFound('id', `no model ${req.params.id}`);
        return view(m);
      },
    });
  };
}
