// What CompleteTrainingJob means on a node, besides its `apply` (completeTrainingJob.ts):
// before sequencing, the node re-evaluates the uploaded adapter on the job's data (on a
// CPU worker) and attests the loss it measured; once the result is in the log, the
// worker's lease on the job is dropped. This file must never import node/, store/ or api/.
import type { ActionHooks } from '../../protocol/nodeHooks.ts';
import { completeTrainingJob, type CompleteTrainingJobMessage } from './completeTrainingJob.ts';

export const completeTrainingJobHooks: ActionHooks<CompleteTrainingJobMessage> = {
  type: completeTrainingJob.type,
  prepare: async ({ action, signer }, node) => ({ attest: await node.attestTrainingResult(action, signer) }),
  after({ message: m, sequenced }, node) {
    // The node that sequenced the result drops the lease; a node following its cluster's log leaves it.
    if (sequenced) node.releaseTrainingLease(m.job);
  },
};
