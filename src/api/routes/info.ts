// What a client needs to know before it signs anything: the node's identity, the
// EIP-712 domain, the limits, and the log size. And for operators: liveness (/healthz)
// and readiness (/readyz).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { readiness } from '../../node/readiness.ts';
import { domainFor } from '../../protocol/protocol.ts';

const Check = z.object({ ok: z.boolean(), reason: z.string().optional() });
const Readiness = z.object({
  ready: z.boolean(),
  failing: z.array(z.string()).describe('The checks that failed: database, sequencer, chain'),
  checks: z.object({ database: Check, sequencer: Check, chain: Check.optional() }),
});

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
            dev: z.boolean().describe('Dev mode: hand-recorded inferences, hand-closed epochs and (on a play-money ledger) the faucet are on'),
            money: z.enum(['play', 'real']).describe("The ledger's money, fixed at genesis: play (dev faucet credit, never paid out on chain) or real (chain deposits only)"),
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
        money: node.moneyKind,
      }),
    });
    app.get('/healthz', { schema: { hide: true }, handler: async () => ({ ok: true, size: node.size, sequencing: node.sequencing, ...node.sequencer.stats }) });
    app.get('/readyz', {
      schema: { hide: true, response: { 200: Readiness, 503: Readiness } },
      handler: async (_req, reply) => {
        const r = readiness(node);
        return reply.status(r.ready ? 200 : 503).send(r);
      },
    });
  };
}
