// The settlement domain's action definitions, and their node-side hooks, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import type { ActionHooks } from '../protocol/nodeHooks.ts';
import { registerModelHooks } from './actions/registerModel.hooks.ts';
import { withdrawHooks } from './actions/withdraw.hooks.ts';
import { bindChain } from './actions/bindChain.ts';
import { closeEpoch } from './actions/closeEpoch.ts';
import { deposit } from './actions/deposit.ts';
import { inferenceRecord } from './actions/inferenceRecord.ts';
import { registerModel } from './actions/registerModel.ts';
import { releaseReservation } from './actions/releaseReservation.ts';
import { reserveInference } from './actions/reserveInference.ts';
import { withdraw } from './actions/withdraw.ts';

export const settlementActions: ActionDefinition[] = [registerModel, deposit, reserveInference, inferenceRecord, releaseReservation, closeEpoch, withdraw, bindChain] as ActionDefinition[];
export const settlementHooks: ActionHooks[] = [registerModelHooks, withdrawHooks] as ActionHooks[];
