// The node's side of the model factory: receives model files from their owners (streamed to
// disk, hashed, then validated as a llama GGUF or a LoRA adapter before they are kept, so llama.cpp
// is never handed an unchecked file), and measures what a RegisterBaseModel attests.
import type { Readable } from 'node:stream';
import { GgufError } from '../gguf/errors.ts';
import { readGgufFile } from '../gguf/reader.ts';
import { type LlamaModelInfo, type LoraAdapterInfo, validateLlamaModel, validateLoraAdapter } from '../gguf/validate.ts';
import type { RegisterBaseModelAttest } from '../models/actions/registerBaseModel.ts';
import { baseModelInfo, findBaseModel } from '../models/records.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { UPLOAD_HEADERS } from '../protocol/uploadIntent.ts';
import { ModelFiles, UploadError } from '../store/modelFiles.ts';
import type { TributaryNode } from './node.ts';
import type { UploadGrant } from './uploads.ts';

export type StoredModelFile =
  | { hash: string; size: number; kind: 'model'; model: LlamaModelInfo }
  | { hash: string; size: number; kind: 'adapter'; adapter: LoraAdapterInfo };

/** What a GGUF is, checked: a llama model or a LoRA adapter. Throws GgufError. */
export function inspectGguf(path: string): { kind: 'model'; model: LlamaModelInfo } | { kind: 'adapter'; adapter: LoraAdapterInfo } {
  const file = readGgufFile(path);
  const type = file.metadata.get('general.type');
  if (type?.type === 'string' && type.value === 'adapter') return { kind: 'adapter', adapter: validateLoraAdapter(file) };
  return { kind: 'model', model: validateLlamaModel(file) };
}

export class ModelService {
  readonly files: ModelFiles;

  constructor(private readonly node: TributaryNode) {
    this.files = new ModelFiles(node.config.dataDir);
  }

  /**
   * Receives a model file under its SHA-256, for the owner `grant` names (uploads.ts); keeps it
   * only if it is exactly the size granted and a valid llama GGUF or LoRA adapter.
   */
  async upload(grant: UploadGrant, body: Readable): Promise<StoredModelFile> {
    try {
      let received;
      try {
        received = await this.files.receive(body, grant.hash, grant.size);
      } catch (e) {
        if (!(e instanceof UploadError)) throw e;
        if (e.kind === 'too_large') throw reject.invalid(UPLOAD_HEADERS.size, `the body is longer than the ${grant.size} bytes the upload declared`);
        throw reject.invalid('file', e.message);
      }
      if (received.size !== grant.size) {
        this.files.discard(received);
        throw reject.invalid(UPLOAD_HEADERS.size, `the body is ${received.size} bytes, the upload declared ${grant.size}`);
      }
      try {
        const what = inspectGguf(received.tempPath);
        this.files.keep(received);
        this.node.uploads.record(grant);
        return { hash: received.hash, size: received.size, ...what };
      } catch (e) {
        this.files.discard(received);
        if (e instanceof GgufError) throw new ActionRejected(422, 'invalid_gguf', 'file', `not a model this node can serve safely: ${e.message}`);
        throw e;
      }
    } finally {
      grant.release();
    }
  }

  /**
   * Checks that the node holds an adapter file and that it fits the registered base; true,
   * or a precise refusal. The base's measurement comes from its record: its file was
   * validated when it was registered.
   */
  checkAdapter(base: string, adapter: string): true {
    const a = adapter.toLowerCase();
    if (!this.files.claim(a)) throw reject.invalid('action.adapter', `this node holds no file ${a}: upload it first (PUT /v1/models/files/${a})`);
    const registered = findBaseModel(this.node.state, base);
    if (!registered) throw reject.notFound('action.base', `no base model registered with file ${base.toLowerCase()}: register it first (tributary models add-base FILE.gguf)`);
    try {
      validateLoraAdapter(readGgufFile(this.files.path(a)), baseModelInfo(registered));
    } catch (e) {
      if (e instanceof GgufError) throw new ActionRejected(422, 'invalid_gguf', 'action.adapter', `the adapter does not fit base ${base.toLowerCase()}: ${e.message}`);
      throw e;
    }
    return true;
  }

  /** What the node measured in the file a RegisterBaseModel names (it must be uploaded first). */
  attestBaseModel(action: ActionMessage): RegisterBaseModelAttest {
    const hash = (action.file as string).toLowerCase();
    if (!this.files.claim(hash)) throw reject.invalid('action.file', `this node holds no file ${hash}: upload it first (PUT /v1/models/files/${hash})`);
    let what;
    try {
      what = inspectGguf(this.files.path(hash));
    } catch (e) {
      if (e instanceof GgufError) throw new ActionRejected(422, 'invalid_gguf', 'action.file', e.message);
      throw e;
    }
    if (what.kind !== 'model') throw reject.invalid('action.file', `${hash} is a LoRA adapter, not a base model`);
    return { model: what.model, fileSize: this.files.size(hash) };
  }
}
