// The chain side of a node: what the chain worker has done and where it stands
// (deposits credited, roots and anchors posted, payouts funded, the last error and when
// it retries), and withdrawal vouchers for the DepositVault.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { ChainStatus, WithdrawalVoucher } from '../../wire/chain.ts';
import { Count, errorResponses } from '../../wire/common.ts';

export function chainRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/chain/status', {
      schema: {
        tags: ['chain'],
        summary: "The chain worker's state: contracts, deposits credited, the latest root, anchor and funding it posted, pending epochs, failures and the next retry",
        response: {
          200: ChainStatus,
        },
      },
      handler: async () => node.chain.status(),
    });

    app.get('/v1/withdrawals/:index/voucher', {
      schema: {
        tags: ['chain'],
        summary: "A withdrawal's EIP-712 voucher for DepositVault.withdraw, valid for an hour (ask again for a fresh one; the vault pays each nonce once)",
        params: z.object({ index: Count.describe('Log index of the Withdraw entry: the voucher nonce') }),
        response: {
          200: WithdrawalVoucher,
          ...errorResponses,
        },
      },
      handler: async (req) => node.chain.voucher(req.params.index),
    });
  };
}
