// The chain side of a node: what the chain worker has done and where it stands
// (deposits credited, roots and anchors posted, payouts funded, the last error and when
// it retries), and withdrawal vouchers for the DepositVault.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { Count, errorResponses } from '../schemas.ts';

const Posted = { tx: z.string(), block: z.string(), at: z.string() };

export function chainRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/chain/status', {
      schema: {
        tags: ['chain'],
        summary: "The chain worker's state: contracts, deposits credited, the latest root, anchor and funding it posted, pending epochs, failures and the next retry",
        response: {
          200: z.object({
            configured: z.boolean(),
            rpcUrl: z.string().optional(),
            chainId: z.number().int().optional(),
            contracts: z.object({ token: z.string(), vault: z.string(), distributor: z.string(), anchor: z.string() }).optional(),
            settler: z.string().optional(),
            confirmations: z.number().int().optional(),
            depositsScannedTo: z.string().optional(),
            depositsCredited: z.number().int(),
            lastRoot: z.object({ ...Posted, epoch: z.number().int(), root: z.string() }).optional(),
            lastAnchor: z.object({ ...Posted, treeSize: z.number().int() }).optional(),
            lastFunding: z.object({ ...Posted, amount: z.string() }).optional(),
            unfunded: z.string().optional().describe('What the distributor lacks to pay every posted payout (money credited without an on-chain deposit, e.g. by the dev faucet)'),
            pendingEpochs: z.number().int(),
            failures: z.number().int(),
            lastError: z.object({ message: z.string(), at: z.string() }).optional(),
            nextAttemptAt: z.string().optional(),
          }),
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
          200: z.object({
            voucher: z.object({ account: z.string(), amount: z.string(), nonce: z.string(), deadline: z.string() }),
            signature: z.string(),
            vault: z.string(),
            chainId: z.number().int(),
          }),
          ...errorResponses,
        },
      },
      handler: async (req) => node.chain.voucher(req.params.index),
    });
  };
}
