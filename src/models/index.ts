// The model factory's action definitions, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import { registerBaseModel } from './actions/registerBaseModel.ts';

export const modelActions: ActionDefinition[] = [registerBaseModel] as ActionDefinition[];
