// The datanet domain's action definitions, and their node-side hooks, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import type { ActionHooks } from '../protocol/nodeHooks.ts';
import { contributeHooks } from './actions/contribute.hooks.ts';
import { createDatanetHooks } from './actions/createDatanet.hooks.ts';
import { curateHooks } from './actions/curate.hooks.ts';
import { optOutHooks } from './actions/optOut.hooks.ts';
import { snapshotHooks } from './actions/snapshot.hooks.ts';
import { contribute } from './actions/contribute.ts';
import { createDatanet } from './actions/createDatanet.ts';
import { curate } from './actions/curate.ts';
import { flagDuplicate } from './actions/flagDuplicate.ts';
import { setDuplicatePolicy } from './actions/setDuplicatePolicy.ts';
import { optOut } from './actions/optOut.ts';
import { snapshot } from './actions/snapshot.ts';

export const datanetActions: ActionDefinition[] = [createDatanet, contribute, curate, optOut, snapshot, setDuplicatePolicy, flagDuplicate] as ActionDefinition[];
export const datanetHooks: ActionHooks[] = [createDatanetHooks, contributeHooks, curateHooks, optOutHooks, snapshotHooks] as ActionHooks[];
