// What a client needs to know before it signs anything: the node's identity, the
// EIP-712 domain, the limits, and the log size. And for operators: liveness (/healthz)
// and readiness (/readyz).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { readiness } from '../../node/readiness.ts';
import { domainFor } from '../../protocol/protocol.ts';
import { NodeInfo, Readiness } from '../../wire/node.ts';

export function infoRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/node', {
      schema: {
        tags: ['node'],
        summary: 'Node identity, EIP-712 domain and limits',
        response: {
          200: NodeInfo,
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
