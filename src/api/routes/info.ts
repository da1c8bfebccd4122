// What a client needs to know before it signs anything: the node's identity, the
// EIP-712 domain, the limits, and the log size.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { domainFor } from '../../protocol/protocol.ts';

export function infoRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/node', {
      schema: {
        tags: ['node'],
        summary: 'Node identity, EIP-712 domain and limits',
        response: {
          200: z.object({
            origin: z.string(),
            verifierKey: z.string(),
            domain: z.object({ name: z.string(), version: z.string(), chainId: z.number().int() }),
            size: z.number().int(),
            maxContentBytes: z.number().int(),
            dev: z.boolean().describe('Dev mode: the faucet, hand-recorded inferences and hand-closed epochs are on'),
          }),
        },
      },
      handler: async () => ({
        origin: node.params.origin,
        verifierKey: node.key.verifierKey,
        domain: domainFor(node.params.chainId),
        size: node.size,
        maxContentBytes: node.config.maxContentBytes,
        dev: node.config.dev,
      }),
    });
    app.get('/healthz', { schema: { hide: true }, handler: async () => ({ ok: true, size: node.size, ...node.sequencer.stats }) });
  };
}
