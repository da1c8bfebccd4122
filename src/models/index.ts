// The model factory's action definitions, and their node-side hooks, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import type { ActionHooks } from '../protocol/nodeHooks.ts';
import { cancelTrainingJobHooks } from './actions/cancelTrainingJob.hooks.ts';
import { completeTrainingJobHooks } from './actions/completeTrainingJob.hooks.ts';
import { registerBaseModelHooks } from './actions/registerBaseModel.hooks.ts';
import { cancelTrainingJob } from './actions/cancelTrainingJob.ts';
import { completeTrainingJob } from './actions/completeTrainingJob.ts';
import { registerBaseModel } from './actions/registerBaseModel.ts';
import { registerWorker } from './actions/registerWorker.ts';
import { submitTrainingJob } from './actions/submitTrainingJob.ts';

export const modelActions: ActionDefinition[] = [registerBaseModel, registerWorker, submitTrainingJob, completeTrainingJob, cancelTrainingJob] as ActionDefinition[];
export const modelHooks: ActionHooks[] = [registerBaseModelHooks, completeTrainingJobHooks, cancelTrainingJobHooks] as ActionHooks[];
