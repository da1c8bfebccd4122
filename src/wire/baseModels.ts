// Base models and model files on the wire: a registered GGUF base model as the node
// measured it, and what the node answers for an uploaded model or adapter file. Shapes
// only, for Node and the browser; reading GGUF files is never this module's job.
import { z } from 'zod';

/** A model file's name: 0x and its SHA-256. */
export const FileSha256 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by the 64-hex-digit SHA-256 of the file');

export const BaseModel = z.object({
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
export type BaseModel = z.infer<typeof BaseModel>;
export const BaseModelList = z.object({ models: z.array(BaseModel) });

/** PUT /v1/models/files/:sha256: the stored file and what the validator measured in it. */
export const ModelFile = z.object({
  hash: z.string(),
  size: z.number().int(),
  kind: z.enum(['model', 'adapter']),
  model: BaseModel.omit({ hash: true, fileModelName: true, fileSize: true, owner: true, registeredAt: true, time: true }).optional().describe('What the validator measured in a base model'),
  adapter: z
    .object({ alpha: z.number(), ranks: z.array(z.number().int()), targets: z.array(z.string()), blocks: z.array(z.number().int()), tensors: z.number().int() })
    .optional()
    .describe('What the validator measured in a LoRA adapter'),
});
export type ModelFile = z.infer<typeof ModelFile>;
