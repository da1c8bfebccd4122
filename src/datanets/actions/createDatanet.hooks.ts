// What CreateDatanet means on a node, besides its `apply` (createDatanet.ts): a JSONL
// datanet's schema is user-supplied code for a validator, so it is compiled on a CPU
// worker within a time budget before sequencing, after the cheap rules have passed.
// This file must never import node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { createDatanet, type CreateDatanetMessage } from './createDatanet.ts';

export const createDatanetHooks: ActionHooks<CreateDatanetMessage> = {
  type: createDatanet.type,

  async prepare({ message: m, checkRules }, node) {
    if (m.kind !== 'jsonl' || m.schema === '') return undefined;
    // A name taken or a bad policy is refused before any schema is compiled.
    checkRules();
    await node.compileSchema(m.schema);
    return undefined;
  },
};
