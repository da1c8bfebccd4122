// OptOut: the author withdraws a contribution. Its record and log entry stay (the log
// is append-only); the node deletes the bytes, and later snapshots leave it out.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { type DatanetCounts, findContribution, keys } from '../records.ts';

export interface OptOutMessage {
  contribution: number;
  reason: string;
}

export const optOut: ActionDefinition<OptOutMessage> = {
  type: 'OptOut',
  signer: 'user',
  description: 'Withdraw your own contribution: its content is deleted and left out of later snapshots.',
  fields: [
    { name: 'contribution', type: 'uint64' },
    { name: 'reason', type: 'string', max: 1000 },
  ],
  apply(ctx, m) {
    const c = findContribution(ctx.state, m.contribution);
    if (!c) throw reject.notFound('action.contribution', `no contribution ${m.contribution}`);
    if (c.author !== ctx.signer) throw reject.forbidden('signer', `only the author ${c.author} may withdraw contribution ${c.id}`);
    if (c.status === 'withdrawn') throw reject.conflict('action.contribution', `contribution ${c.id} is already withdrawn`);
    const counts = ctx.state.get<DatanetCounts>(keys.counts(c.datanet))!;
    const next = { ...counts };
    next[c.status] -= 1;
    next.withdrawn += 1;
    return {
      changes: [
        { key: keys.contribution(c.datanet, c.id), value: { ...c, status: 'withdrawn', reason: m.reason, decidedBy: ctx.signer } },
        { key: keys.counts(c.datanet), value: { ...next } },
      ],
      effects: [{ kind: 'releaseBlob', hash: c.contentHash }],
      result: { contribution: c.id, status: 'withdrawn' },
    };
  },
};
