// Model files and base models. A GGUF is uploaded raw under its SHA-256 by an owner (an
// upload intent or an API key, checked with the owner's quota before the body is read),
// streamed to disk, never held in memory, and kept only if it validates as a llama model or
// a LoRA adapter; a signed RegisterBaseModel then registers a base model by that hash.
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type BaseModelRecord, findBaseModel, modelKeys } from '../../models/records.ts';
import type { TributaryNode } from '../../node/node.ts';
import { reject } from '../../protocol/errors.ts';
import { BaseModel, BaseModelList, FileSha256 as Sha, ModelFile } from '../../wire/baseModels.ts';
import { ErrorBody, errorResponses } from '../../wire/common.ts';
import { uploadGrantHooks } from '../uploadGrants.ts';

export function baseModelRoutes(node: TributaryNode): FastifyPluginAsyncZod {
  return async (app) => {
    // The body stays a stream: model files are gigabytes. The size limit is enforced while it is written.
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    // An upload refused before its last byte (too large, a dropped client) leaves the rest of
    // its body unread on the connection: close it after the answer, or the client's next
    // request on it would be read as that body and hang.
    app.addHook('onSend', async (req, reply) => {
      if (!req.raw.complete) void reply.header('connection', 'close');
    });

    const grants = uploadGrantHooks(node, 'model-file', 'sha256');
    app.put('/v1/models/files/:sha256', {
      onRequest: grants.onRequest,
      onResponse: grants.onResponse,
      onRequestAbort: grants.onRequestAbort,
      schema: {
        tags: ['models'],
        summary:
          'Upload a GGUF model or LoRA adapter (application/octet-stream) under its SHA-256; needs an upload intent or an API key (docs/api.md, "Uploads"); it is validated before it is kept',
        params: z.object({ sha256: Sha }),
        response: {
          200: ModelFile,
          ...errorResponses,
          422: ErrorBody,
        },
      },
      handler: async (req) => {
        if (!req.body || typeof (req.body as Readable).pipe !== 'function')
          throw reject.invalid('content-type', 'send the file as the raw body, with content-type application/octet-stream');
        return node.models.upload(grants.of(req), req.body as Readable);
      },
    });

    app.get('/v1/base-models', {
      schema: { tags: ['models'], summary: 'Registered base models, oldest first', response: { 200: BaseModelList } },
      handler: async () => ({ models: node.state.list<BaseModelRecord>(modelKeys.basePrefix).map(([, m]) => m).sort((a, b) => a.registeredAt - b.registeredAt) }),
    });

    app.get('/v1/base-models/:sha256', {
      schema: { tags: ['models'], summary: 'One registered base model', params: z.object({ sha256: Sha }), response: { 200: BaseModel, ...errorResponses } },
      handler: async (req) => {
        const m = findBaseModel(node.state, req.params.sha256);
        if (!m) throw reject.notFound('sha256', `no base model registered with file ${req.params.sha256.toLowerCase()}`);
        return m;
      },
    });
  };
}
