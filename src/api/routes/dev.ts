// Dev-mode conveniences for settlement until the chain exists: a faucet that
// credits a prepaid balance, and recording an inference from its output text (attributed
// and settled exactly as serving does). Refused with 403 when NODE_ENV=production.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { Address, Amount, paymentResponses, Receipt } from '../schemas.ts';

export function devRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const devOnly = () => {
    if (!node.config.dev) throw reject.forbidden('url', 'this route exists only in dev mode (NODE_ENV is production)');
  };
  return async (app) => {
    app.post('/v1/dev/faucet', {
      schema: {
        tags: ['dev'],
        summary: 'Dev mode: credit an account\'s prepaid balance (at most 1,000 tokens a call)',
        body: z.strictObject({ account: Address, amount: Amount.default('100000000000000000000').describe('Base units; default 100 tokens') }),
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
        body: z.strictObject({
          model: z.string().max(80).describe('name@version'),
          requester: Address,
          provider: Address.describe('The compute provider that served it'),
          inputTokens: z.number().int().nonnegative().max(10_000_000),
          output: z.string().max(1_000_000),
        }),
        response: {
          200: z.object({
            receipt: Receipt,
            attribution: z.object({
              contributions: z.array(z.object({ contribution: z.number().int(), ppm: z.number().int() })),
              spans: z.array(z.object({ start: z.number().int(), end: z.number().int(), text: z.string(), contributions: z.array(z.number().int()) })),
            }),
          }),
          ...paymentResponses,
        },
      },
      handler: async (req) => {
        devOnly();
        const b = req.body;
        return node.settlement.recordInference({ ...b, requester: b.requester.toLowerCase(), provider: b.provider.toLowerCase() });
      },
    });
  };
}
