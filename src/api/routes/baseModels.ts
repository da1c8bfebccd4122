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
import { ErrorBody, errorResponses } from '../schemas.ts';
import { uploadGrantHooks } from '../uploadGrants.ts';

const Sha = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by the 64-hex-digit SHA-256 of the file');
const BaseModel = z.object({
  hash: z.string(),
  name: z.string(),
  fileModelName: z.string(),
  fileSize: z.number().int(),
  owner: z.string(),
  registeredAt: z.number().int(),
  time: z.number().int(),
  architecture: z.literal('llama'),
  contextLength: z.number().int(),
  embeddingLength: z.number().int(),
  blockCount: z.number().int(),
  feedForwardLength: z.number().int(),
  headCount: z.number().int(),
  headCountKv: z.number().int(),
  rmsEpsilon: z.number(),
  ropeFreqBase: z.number(),
  vocabSize: z.number().int(),
  tokenizer: z.object({ model: z.string(), hash: z.string() }),
  parameters: z.number().int(),
  tensorTypes: z.array(z.string()),
  tiedEmbeddings: z.boolean(),
});

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
          200: z.object({
            hash: z.string(),
            size: z.number().int(),
            kind: z.enum(['model', 'adapter']),
            model: BaseModel.omit({ hash: true, fileModelName: true, fileSize: true, owner: true, registeredAt: true, time: true }).optional().describe('What the validator measured in a base model'),
            adapter: z
              .object({ alpha: z.number(), ranks: z.array(z.number().int()), targets: z.array(z.string()), blocks: z.array(z.number().int()), tensors: z.number().int() })
              .optional()
              .describe('What the validator measured in a LoRA adapter'),
          }),
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
      schema: { tags: ['models'], summary: 'Registered base models, oldest first', response: { 200: z.object({ models: z.array(BaseModel) }) } },
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
