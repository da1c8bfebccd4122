// What Curate means on a node, besides its `apply` (curate.ts): a decision changes which contributions attribution sees, so
// afterwards the datanet's attribution index catches up. This file must never import
// node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { findContribution } from '../records.ts';
import { curate, type CurateMessage } from './curate.ts';

export const curateHooks: ActionHooks<CurateMessage> = {
  type: curate.type,
  after({ message: m }, node) {
    const c = findContribution(node.state, m.contribution);
    if (c) node.touchAttributionIndex(c.datanet);
  },
};
