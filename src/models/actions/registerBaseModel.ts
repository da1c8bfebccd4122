// RegisterBaseModel: an account registers a base model, a llama-architecture GGUF that
// the node holds under its SHA-256. The node validated the file when it was uploaded
// and attests, in the entry, what it measured: architecture, tokenizer, sizes. Those
// facts, not the registrant's word, are what the log records; a file is registered once.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import type { LlamaModelInfo } from '../../gguf/validate.ts';
import { type BaseModelRecord, findBaseModel, modelKeys } from '../records.ts';

export interface RegisterBaseModelMessage {
  name: string;
  file: string;
}

/** What the node attests about a RegisterBaseModel: the validator's report and the file size. */
export interface RegisterBaseModelAttest {
  model: LlamaModelInfo;
  fileSize: number;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export const registerBaseModel: ActionDefinition<RegisterBaseModelMessage> = {
  type: 'RegisterBaseModel',
  signer: 'user',
  description: 'Register a base model: a llama-architecture GGUF file the node holds, named by its SHA-256 (upload it first: PUT /v1/models/files/:sha256).',
  fields: [
    { name: 'name', type: 'string', max: 63, description: 'A name for people: lowercase letters, digits, . _ -' },
    { name: 'file', type: 'bytes32', description: 'SHA-256 of the GGUF file' },
  ],
  apply(ctx, m) {
    if (!NAME.test(m.name)) throw reject.invalid('action.name', 'must be 1-63 lowercase letters, digits, . _ or -, starting with a letter or digit');
    const earlier = findBaseModel(ctx.state, m.file);
    if (earlier) throw reject.conflict('action.file', `this file is already registered, as base model ${earlier.name} (log entry ${earlier.registeredAt})`, { registeredAt: earlier.registeredAt });
    const attest = ctx.attest as RegisterBaseModelAttest | undefined;
    if (!attest || typeof attest.model !== 'object' || attest.model.architecture !== 'llama' || !Number.isSafeInteger(attest.fileSize))
      throw reject.invalid('attest.model', 'the node must attest what it measured in the file');
    const { name: fileModelName, ...info } = attest.model;
    const record: BaseModelRecord = {
      ...info,
      tokenizer: { ...info.tokenizer },
      tensorTypes: [...info.tensorTypes],
      hash: m.file,
      name: m.name,
      fileModelName,
      fileSize: attest.fileSize,
      owner: ctx.signer,
      registeredAt: ctx.index,
      time: ctx.time,
    };
    return {
      changes: [{ key: modelKeys.base(m.file), value: { ...record, tokenizer: { ...record.tokenizer }, tensorTypes: [...record.tensorTypes] } }],
      result: { base: m.file, name: m.name, parameters: info.parameters, vocabSize: info.vocabSize },
    };
  },
};
