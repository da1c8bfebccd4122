// RegisterWorker: an account offers its compute to train models. Registered workers may
// lease training jobs; the fee of a job goes to the worker whose result is accepted.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { jobKeys, type WorkerRecord } from '../records.ts';

export const registerWorker: ActionDefinition<{ name: string }> = {
  type: 'RegisterWorker',
  signer: 'user',
  description: 'Register the signing account as a compute worker that trains models for a fee.',
  fields: [{ name: 'name', type: 'string', max: 63, description: 'A name for people' }],
  apply(ctx, m) {
    if (m.name.trim() === '') throw reject.invalid('action.name', 'must not be empty');
    if (ctx.state.get(jobKeys.worker(ctx.signer)) !== undefined) throw reject.conflict('signer', `${ctx.signer} is already a registered worker`);
    const record: WorkerRecord = { address: ctx.signer, name: m.name, registeredAt: ctx.index, time: ctx.time };
    return { changes: [{ key: jobKeys.worker(ctx.signer), value: { ...record } }], result: { worker: ctx.signer } };
  },
};
