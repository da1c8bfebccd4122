// What Snapshot means on a node, besides its `apply` (snapshot.ts): a new version changes what attribution of models built on it sees, so
// afterwards the datanet's attribution index catches up. This file must never import
// node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { snapshot, type SnapshotMessage } from './snapshot.ts';

export const snapshotHooks: ActionHooks<SnapshotMessage> = {
  type: snapshot.type,
  // The datanet's versions changed: its attribution index catches up in the background.
  after: ({ message: m }, node) => node.touchAttributionIndex(m.datanet),
};
