// What OptOut means on a node, besides its `apply` (optOut.ts): withdrawn content leaves attribution, so
// afterwards the datanet's attribution index catches up. This file must never import
// node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { findContribution } from '../records.ts';
import { optOut, type OptOutMessage } from './optOut.ts';

export const optOutHooks: ActionHooks<OptOutMessage> = {
  type: optOut.type,
  after({ message: m }, node) {
    const c = findContribution(node.state, m.contribution);
    if (c) node.touchAttributionIndex(c.datanet);
  },
};
