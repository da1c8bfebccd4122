// Searching the transparency log: which entry has this leaf hash, and which entries
// mention an address or a 0x hash. Both are scans for now (see src/store/logSearch.ts);
// the mentions search reads a bounded window per call and says where to go on.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { LogSearch, SCAN_WINDOW } from '../../store/logSearch.ts';
import { Count, errorResponses } from '../../wire/common.ts';
import { LeafLookup, LogSearchResult } from '../../wire/log.ts';

const Needle = z
  .string()
  .regex(/^0x([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/, 'must be an address (0x and 40 hex digits) or a hash (0x and 64 hex digits)');

export function logSearchRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  const search = new LogSearch(node.db);
  return async (app) => {
    app.get('/v1/log/leaves/:leafHash', {
      schema: {
        tags: ['log'],
        summary: 'Which entry has this leaf hash (a scan of the leaves; 404 if none)',
        params: z.object({ leafHash: z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/, 'must be 64 hex digits, with or without 0x') }),
        response: { 200: LeafLookup, ...errorResponses },
      },
      handler: async (req) => {
        const hex = req.params.leafHash.replace(/^0x/, '').toLowerCase();
        const index = search.leaf(Buffer.from(hex, 'hex'));
        if (index === undefined || index >= node.size) throw reject.notFound('leafHash', `no entry in the log has leaf hash ${hex}`);
        return { index, leafHash: hex };
      },
    });

    app.get('/v1/log/search', {
      schema: {
        tags: ['log'],
        summary: `Entries that mention an address or 0x hash (signer, account, content hash), newest first; reads at most ${SCAN_WINDOW} entries a call, then continue with before=next`,
        querystring: z.object({
          mentions: Needle,
          before: Count.optional().describe('Only entries below this index (default: the tree size)'),
          limit: Count.min(1).max(200).default(50),
        }),
        response: {
          200: LogSearchResult,
          ...errorResponses,
        },
      },
      handler: async (req) => {
        const size = node.size;
        const before = Math.min(req.query.before ?? size, size);
        const found = search.mentions(req.query.mentions, before, req.query.limit);
        return {
          matches: found.matches.map((m) => ({ index: m.index, leafHash: node.leafHash(m.index).toString('hex'), data: m.data.toString('base64') })),
          scanned: found.scanned,
          next: found.next,
        };
      },
    });
  };
}
