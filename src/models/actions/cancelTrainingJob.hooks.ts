// What CancelTrainingJob means on a node, besides its `apply` (cancelTrainingJob.ts):
// leases live outside the log (in the node's database), so the refusal of a cancel
// while a worker holds the job is checked before sequencing. This file must never
// import node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { cancelTrainingJob } from './cancelTrainingJob.ts';

export const cancelTrainingJobHooks: ActionHooks<{ job: number }> = {
  type: cancelTrainingJob.type,
  async prepare({ message: m }, node) {
    node.checkTrainingCancel(m.job);
    return undefined;
  },
};
