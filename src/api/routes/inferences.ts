// An inference's record with its proof: GET /v1/inferences/:id (the id is the record's
// log index, as every completion's `attribution.inference` names it). The receipt checks
// offline with `tributary receipt verify`.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { InferenceAnswer } from '../../wire/actions.ts';
import { Count, errorResponses } from '../../wire/common.ts';

export function inferenceRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/inferences/:id', {
      schema: {
        tags: ['inference'],
        summary: 'An inference record (model, requester, provider, tokens, attribution weights, output hash) with its inclusion proof',
        params: z.object({ id: Count }),
        response: { 200: InferenceAnswer, ...errorResponses },
      },
      handler: async (req) => {
        if (req.params.id >= node.size) throw reject.notFound('id', `no inference ${req.params.id}: the log has ${node.size} entries`);
        const receipt = node.receiptFor(req.params.id);
        const entry = JSON.parse(Buffer.from(receipt.entry, 'base64').toString('utf8')) as { action: Record<string, unknown>; time: number };
        if (entry.action.type !== 'InferenceRecord') throw reject.notFound('id', `log entry ${req.params.id} is a ${String(entry.action.type)}, not an inference`);
        return { inference: { ...entry.action, time: entry.time }, receipt };
      },
    });
  };
}
