// Payout epochs: the closed epochs with their payout roots, and each account's
// cumulative amount with its Merkle proof, ready for PayoutDistributor.claim. Closing an
// epoch by hand is for dev mode; a running node closes them on its timer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { type EpochRecord, moneyKeys } from '../../settlement/records.ts';
import { Address, Count, errorResponses } from '../../wire/common.ts';
import { Epoch, EpochList, PayoutProof } from '../../wire/epochs.ts';
import { Receipt } from '../../wire/receipt.ts';

export function epochRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/epochs', {
      schema: { tags: ['payouts'], summary: 'Closed epochs, newest first', response: { 200: EpochList } },
      handler: async () => ({ epochs: node.state.list<EpochRecord>(moneyKeys.epochPrefix).map(([, e]) => e).reverse() }),
    });

    app.get('/v1/epochs/:epoch', {
      schema: { tags: ['payouts'], summary: 'One closed epoch', params: z.object({ epoch: Count }), response: { 200: Epoch, ...errorResponses } },
      handler: async (req) => node.settlement.epoch(req.params.epoch),
    });

    app.post('/v1/epochs', {
      schema: {
        tags: ['payouts'],
        summary: 'Dev mode: close the next epoch now (409 if nothing was earned since the last)',
        response: { 200: Receipt, ...errorResponses },
      },
      handler: async () => {
        if (!node.config.dev) throw reject.forbidden('url', 'closing an epoch by hand is for dev mode; the node closes epochs on its timer');
        return node.settlement.closeEpoch();
      },
    });

    app.get('/v1/payouts/:epoch/:account', {
      schema: {
        tags: ['payouts'],
        summary: "An account's cumulative payout as of an epoch, with its proof against the epoch's root",
        params: z.object({ epoch: Count, account: Address }),
        response: { 200: PayoutProof, ...errorResponses },
      },
      handler: async (req) => node.settlement.payout(req.params.epoch, req.params.account),
    });
  };
}
