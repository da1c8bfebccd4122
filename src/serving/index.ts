// The serving domain's action definitions, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import { createApiKey, revokeApiKey } from './actions/apiKeys.ts';

export const servingActions: ActionDefinition[] = [createApiKey, revokeApiKey] as ActionDefinition[];
