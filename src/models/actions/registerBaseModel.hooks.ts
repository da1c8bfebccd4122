// What RegisterBaseModel means on a node, besides its `apply` (registerBaseModel.ts):
// the node reads the base model file it holds (GGUF header, vocabulary) and attests
// what it found, so that replay never needs the file. The reading is node-only (model
// files), so it is a capability. This file must never import node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { registerBaseModel, type RegisterBaseModelMessage } from './registerBaseModel.ts';

export const registerBaseModelHooks: ActionHooks<RegisterBaseModelMessage> = {
  type: registerBaseModel.type,
  prepare: async ({ action }, node) => ({ attest: node.attestBaseModel(action) }),
};
