// Proof of Attribution over HTTP: which contributions a text came from, and the state
// of the indexes that answer it; between nodes that split the indexes, one part's spans.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AttributionService, MAX_ATTRIBUTED_TEXT, type Scope } from '../../node/attributionService.ts';
import { PEER_SECRET_HEADER } from '../../node/attributionPeers.ts';
import { reject } from '../../protocol/errors.ts';
import { attributionRequest, AttributionResult, BuildIndexRequest, IndexStatus, IndexStatusList, PartAnswer, partQuery } from '../../wire/attribution.ts';
import { DatanetName as Name, ErrorBody, errorResponses } from '../../wire/common.ts';

/** A query over an index split between nodes fails whole, with a 503 naming the node, when a part cannot answer. */
const splitResponses = { ...errorResponses, 503: ErrorBody };

function scopeOf(service: AttributionService, body: { datanet?: string; snapshot?: { datanet: string; version: number }; model?: string }): Scope {
  const given = [body.datanet && 'datanet', body.snapshot && 'snapshot', body.model && 'model'].filter(Boolean);
  if (given.length !== 1) throw reject.invalid('datanet', `give exactly one of datanet, snapshot or model (got ${given.length ? given.join(', ') : 'none'})`);
  if (body.model !== undefined) return service.modelScope(body.model);
  return body.snapshot ? { datanet: body.snapshot.datanet, version: body.snapshot.version } : { datanet: body.datanet! };
}

export function attributionRoutes(service: AttributionService): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/v1/attribution', {
      schema: {
        tags: ['attribution'],
        summary: 'Which contributions a text came from: weights in parts per million, matched spans, and the unattributed share',
        body: attributionRequest(MAX_ATTRIBUTED_TEXT),
        response: { 200: AttributionResult, ...splitResponses },
      },
      handler: async (req) => {
        const { text, minSpan, maxOccurrences, ...scope } = req.body;
        return service.attribute(scopeOf(service, scope), text, { minSpan, maxOccurrences });
      },
    });

    app.post('/v1/attribution/shard-query', {
      // Only the other parts of a split index ask: the secret is checked before the body is read or parsed.
      onRequest: async (req) => service.checkPeer(req.headers[PEER_SECRET_HEADER]),
      // As long a text as this node may ask about, each UTF-16 unit at most 6 bytes of JSON (\uXXXX).
      bodyLimit: 6 * service.maxQueryText + 64 * 1024,
      schema: {
        tags: ['attribution'],
        summary:
          'Between nodes that split attribution indexes (TRIBUTARY_ATTRIBUTION_SHARD=K/N): the unscored maximal spans of a text among the contributions this node holds, for the asking node to merge and score (docs/attribution.md). ' +
          `Only for peers: the ${PEER_SECRET_HEADER} header must hold TRIBUTARY_ATTRIBUTION_SECRET (401 without it, 403 when wrong); a node that holds whole indexes answers 404`,
        body: partQuery(service.maxQueryText),
        headers: z.object({ [PEER_SECRET_HEADER]: z.string().optional().describe('TRIBUTARY_ATTRIBUTION_SECRET, shared by every part') }),
        response: { 200: PartAnswer, ...splitResponses },
      },
      handler: async (req) => service.part(req.body),
    });

    app.post('/v1/attribution/indexes', {
      schema: {
        tags: ['attribution'],
        summary: 'Build or refresh the index of a datanet (or of one version) now; answers when done',
        body: BuildIndexRequest,
        response: { 200: IndexStatus, ...errorResponses },
      },
      handler: async (req) => service.build({ datanet: req.body.datanet, version: req.body.version }),
    });

    app.get('/v1/attribution/indexes', {
      schema: {
        tags: ['attribution'],
        summary: 'The indexes this node holds, or one of them; `building` shows a build in progress',
        querystring: z.object({ datanet: Name.optional(), version: z.coerce.number().int().min(1).optional() }),
        response: { 200: IndexStatusList, ...errorResponses },
      },
      handler: async (req) => ({
        indexes: req.query.datanet ? [service.status({ datanet: req.query.datanet, version: req.query.version })] : service.statuses(),
      }),
    });
  };
}
