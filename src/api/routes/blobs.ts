// Uploading content ahead of its Contribute action, for files too large to inline as
// base64: PUT the raw bytes under their SHA-256 with an upload intent or an API key (the
// uploader's quota is checked before the body is read), then sign and POST the action.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TributaryNode } from '../../node/node.ts';
import { StagedBlob } from '../../wire/actions.ts';
import { errorResponses } from '../../wire/common.ts';
import { uploadGrantHooks } from '../uploadGrants.ts';

export function blobRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: node.config.maxContentBytes }, (_req, body, done) =>
      done(null, body),
    );
    const grants = uploadGrantHooks(node, 'blob', 'hash');
    app.put('/v1/blobs/:hash', {
      bodyLimit: node.config.maxContentBytes,
      onRequest: grants.onRequest,
      onResponse: grants.onResponse,
      onRequestAbort: grants.onRequestAbort,
      schema: {
        tags: ['datanets'],
        summary: 'Stage content (application/octet-stream) under its SHA-256 for a later Contribute; needs an upload intent or an API key (docs/api.md, "Uploads")',
        params: z.object({ hash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by the 64-hex-digit SHA-256 of the body') }),
        response: { 200: StagedBlob, ...errorResponses },
      },
      handler: async (req) => {
        const body = req.body as Buffer | undefined;
        const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
        node.stageBlob(grants.of(req), bytes);
        return { hash: req.params.hash.toLowerCase(), size: bytes.length };
      },
    });
  };
}
