// The model-factory records kept in protocol state and their keys: registered base
// models, by the SHA-256 of their file. One place defines the layout so that actions,
// routes and tests agree on it.
import type { StateReader } from '../protocol/state.ts';
import type { LlamaModelInfo } from './gguf/validate.ts';

export interface BaseModelRecord extends Omit<LlamaModelInfo, 'name'> {
  /** SHA-256 of the GGUF file, 0x hex: the model's identity. */
  hash: string;
  /** The name the registrant gave it. */
  name: string;
  /** `general.name` inside the file. */
  fileModelName: string;
  fileSize: number;
  owner: string;
  registeredAt: number;
  time: number;
}

export const modelKeys = {
  base: (hash: string) => `base/${hash}`,
  basePrefix: 'base/',
};

export function findBaseModel(state: StateReader, hash: string): BaseModelRecord | undefined {
  return state.get<BaseModelRecord>(modelKeys.base(hash.toLowerCase()));
}
