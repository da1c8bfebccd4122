// CancelTrainingJob: the owner of an open job takes it back and the escrowed fee returns
// to their prepaid balance, e.g. when no worker could do it. The node refuses to log it
// while a worker holds the job's lease (it may be training), so a cancel never takes the
// fee from under a worker that is about to hand in its result.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import type { JsonValue } from '../../protocol/state.ts';
import { Book } from '../../money/book.ts';
import { escrowAccount, findJob, jobKeys, type TrainingJobRecord } from '../records.ts';
import { accounts } from '../../money/accounts.ts';

export const cancelTrainingJob: ActionDefinition<{ job: number }> = {
  type: 'CancelTrainingJob',
  signer: 'user',
  description: 'Cancel an open training job you submitted; its escrowed compute fee returns to your prepaid balance.',
  fields: [{ name: 'job', type: 'uint64' }],
  apply(ctx, m) {
    const job = findJob(ctx.state, m.job);
    if (!job) throw reject.notFound('action.job', `no training job ${m.job}`);
    if (job.owner !== ctx.signer) throw reject.forbidden('signer', `job ${m.job} belongs to ${job.owner}`);
    if (job.status !== 'open') throw reject.conflict('action.job', `job ${m.job} is already ${job.status}`);
    const book = new Book(ctx.state);
    book.journal.transfer(escrowAccount(job.id), accounts.prepaid(job.owner), BigInt(job.computeFee), `refund:job/${job.id}`, ctx.index);
    const cancelled: TrainingJobRecord = { ...job, status: 'cancelled' };
    return {
      changes: [...book.changes(), { key: jobKeys.job(job.id), value: cancelled as unknown as JsonValue }],
      effects: book.effects(),
      result: { job: job.id, refunded: job.computeFee },
    };
  },
};
