// What RegisterModel means on a node, besides its `apply` (registerModel.ts): the node
// counts the training tokens of each contribution of the datanet version (on CPU
// workers, cheap rules first) and checks an uploaded adapter against its base, and
// attests both. The measuring needs the blob store and model files, so it is a
// capability. This file must never import node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { registerModel, type RegisterModelMessage } from './registerModel.ts';

export const registerModelHooks: ActionHooks<RegisterModelMessage> = {
  type: registerModel.type,
  async prepare({ action, auth, signer }, node) {
    const attest = await node.attestRegisterModel(action, auth, signer);
    return attest ? { attest } : undefined;
  },
};
