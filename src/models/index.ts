// The model factory's action definitions, for the node to register.
import type { ActionDefinition } from '../protocol/action.ts';
import { cancelTrainingJob } from './actions/cancelTrainingJob.ts';
import { completeTrainingJob } from './actions/completeTrainingJob.ts';
import { registerBaseModel } from './actions/registerBaseModel.ts';
import { registerWorker } from './actions/registerWorker.ts';
import { submitTrainingJob } from './actions/submitTrainingJob.ts';

export const modelActions: ActionDefinition[] = [registerBaseModel, registerWorker, submitTrainingJob, completeTrainingJob, cancelTrainingJob] as ActionDefinition[];
