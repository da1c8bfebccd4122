// The datanet domain's action definitions, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import { contribute } from './actions/contribute.ts';
import { createDatanet } from './actions/createDatanet.ts';
import { curate } from './actions/curate.ts';
import { flagDuplicate } from './actions/flagDuplicate.ts';
import { setDuplicatePolicy } from './actions/setDuplicatePolicy.ts';
import { optOut } from './actions/optOut.ts';
import { snapshot } from './actions/snapshot.ts';

export const datanetActions: ActionDefinition[] = [createDatanet, contribute, curate, optOut, snapshot, setDuplicatePolicy, flagDuplicate] as ActionDefinition[];
