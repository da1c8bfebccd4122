// The transparency log over HTTP, in exactly the shapes ARCHITECTURE.md fixes, so that
// independent tools can follow the log: checkpoint, verifier key, entries, proofs.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { Count, errorResponses } from '../../wire/common.ts';
import { ConsistencyProof, InclusionProof, LogEntries, LogEntry, SignedCheckpoints } from '../../wire/log.ts';

const hex = (b: Buffer) => b.toString('hex');

export function logRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/v1/log/checkpoint', {
      schema: { tags: ['log'], summary: 'The latest signed checkpoint (C2SP signed note)', response: { 200: z.string() } },
      handler: async (_req, reply) => reply.type('text/plain; charset=utf-8').send(node.checkpoint()),
    });

    app.get('/v1/log/key', {
      schema: { tags: ['log'], summary: "The node's C2SP verifier key", response: { 200: z.string() } },
      handler: async (_req, reply) => reply.type('text/plain; charset=utf-8').send(node.key.verifierKey + '\n'),
    });

    app.get('/v1/log/entries/:index', {
      schema: {
        tags: ['log'],
        summary: 'One entry: its leaf hash and the exact leaf bytes (base64)',
        params: z.object({ index: Count }),
        response: { 200: LogEntry, ...errorResponses },
      },
      handler: async (req) => {
        const data = node.entry(req.params.index);
        return { index: req.params.index, leafHash: hex(node.leafHash(req.params.index)), data: data.toString('base64') };
      },
    });

    app.get('/v1/log/entries', {
      schema: {
        tags: ['log'],
        summary: 'A run of entries, for replay (at most 1000 per call)',
        querystring: z.object({ from: Count.default(0), limit: Count.max(1000).default(100) }),
        response: { 200: LogEntries },
      },
      handler: async (req) => {
        const size = node.size;
        if (req.query.from > size) throw reject.invalid('query.from', `from ${req.query.from} is beyond the tree size ${size}`);
        const rows = node.entries.range(req.query.from, Math.min(req.query.limit, size - req.query.from));
        return { size, entries: rows.map((r) => ({ index: r.index, data: r.data.toString('base64') })) };
      },
    });

    app.get('/v1/log/checkpoints', {
      schema: {
        tags: ['log'],
        summary: 'Every checkpoint the node signed with size greater than `after`, ascending',
        querystring: z.object({ after: Count.default(0), limit: Count.max(1000).default(100) }),
        response: { 200: SignedCheckpoints },
      },
      handler: async (req) => ({
        checkpoints: node.entries.checkpoints(req.query.after, req.query.limit).map((c) => ({ size: c.size, note: c.note })),
      }),
    });

    app.get('/v1/log/proof/inclusion', {
      schema: {
        tags: ['log'],
        summary: 'RFC 9162 inclusion proof of leaf `index` in the tree of size `size`',
        querystring: z.object({ index: Count, size: Count }),
        response: { 200: InclusionProof, ...errorResponses },
      },
      handler: async (req) => {
        const { index, size } = req.query;
        const hashes = node.inclusionProof(index, size);
        return { index, size, leafHash: hex(node.leafHash(index)), hashes: hashes.map(hex) };
      },
    });

    app.get('/v1/log/proof/consistency', {
      schema: {
        tags: ['log'],
        summary: 'RFC 9162 consistency proof between tree sizes `from` and `to`',
        querystring: z.object({ from: Count, to: Count }),
        response: { 200: ConsistencyProof, ...errorResponses },
      },
      handler: async (req) => {
        const { from, to } = req.query;
        return { from, to, hashes: node.consistencyProof(from, to).map(hex) };
      },
    });
  };
}
