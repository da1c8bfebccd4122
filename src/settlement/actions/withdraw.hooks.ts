// What Withdraw means on a node, besides its `apply` (withdraw.ts): real money leaves
// only through a chain, so a real-money node with no chain configured refuses a
// withdrawal before it is sequenced rather than log one nothing can pay. This file
// must never import node/, store/ or api/.
import { ActionRejected } from '../../protocol/errors.ts';
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { withdraw } from './withdraw.ts';

export const withdrawHooks: ActionHooks<{ amount: string }> = {
  type: withdraw.type,
  async prepare(_ctx, node) {
    if (node.moneyKind() === 'real' && !node.chainConfigured())
      throw new ActionRejected(409, 'no_chain', 'action.type', 'this node has no chain configured: there is nowhere to pay a withdrawal out (see tributary chain deploy)');
    return undefined;
  },
};
