// Dev-mode conveniences for settlement: a faucet that credits a prepaid balance (on a
// play-money ledger only), and recording an inference from its output text (attributed and
// settled exactly as serving does). Refused with 403 when NODE_ENV=production.
//
// A convenience never weakens a check: recording an inference spends the requester's
// balance, so it takes the requester's API key (Authorization: Bearer, the consent the
// OpenAI routes take), never a bare address.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MAX_ATTRIBUTED_TEXT } from '../../node/attributionService.ts';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { findModel } from '../../settlement/records.ts';
import { paymentResponses } from '../../wire/common.ts';
import { FaucetRequest, RecordedInference, recordInferenceRequest } from '../../wire/dev.ts';
import { Receipt } from '../../wire/receipt.ts';

export function devRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const devOnly = () => {
    if (!node.config.dev) throw reject.forbidden('url', 'this route exists only in dev mode (NODE_ENV is production)');
  };
  return async (app) => {
    app.post('/v1/dev/faucet', {
      schema: {
        tags: ['dev'],
        summary: 'Dev mode: credit an account\'s prepaid balance (at most 1,000 tokens a call)',
        body: FaucetRequest,
        response: { 200: Receipt, ...paymentResponses },
      },
      handler: async (req) => {
        devOnly();
        return node.settlement.faucet(req.body.account.toLowerCase(), BigInt(req.body.amount));
      },
    });

    app.post('/v1/dev/inferences', {
      schema: {
        tags: ['dev'],
        summary: "Dev mode: record an inference from its output text, attributed against the model's training data and settled as serving does",
        headers: z.object({ authorization: z.string().max(512).optional().describe('Bearer API key of the account that pays (tributary keys create)') }),
        body: recordInferenceRequest(MAX_ATTRIBUTED_TEXT),
        response: {
          200: RecordedInference,
          ...paymentResponses,
        },
      },
      handler: async (req) => {
        devOnly();
        const b = req.body;
        const payer = node.serving.account(req.headers.authorization);
        if (b.requester !== undefined && b.requester.toLowerCase() !== payer)
          throw reject.forbidden('requester', `the API key spends for ${payer}, not ${b.requester.toLowerCase()}: an inference is paid only by the account whose key is given`);
        const model = findModel(node.state, b.model);
        if (!model) throw reject.notFound('model', `no model ${b.model} (name@version)`);
        const provider = b.provider?.toLowerCase() ?? node.config.computeAccount ?? model.owner;
        return node.settlement.recordInference({ model: b.model, requester: payer, provider, inputTokens: b.inputTokens, output: b.output });
      },
    });
  };
}
