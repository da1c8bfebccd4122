// Curate: a curator of the datanet accepts or rejects a contribution, with a reason.
// Curators may change their mind; nobody can curate withdrawn content.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { type DatanetCounts, type DatanetRecord, findContribution, isCurator, keys } from '../records.ts';

export interface CurateMessage {
  contribution: number;
  decision: string;
  reason: string;
}

export const curate: ActionDefinition<CurateMessage> = {
  type: 'Curate',
  signer: 'user',
  description: 'Accept or reject a contribution. Only the datanet owner and its curators may.',
  fields: [
    { name: 'contribution', type: 'uint64', description: 'Contribution id (the log index of its Contribute entry)' },
    { name: 'decision', type: 'string', max: 16, description: '"accept" or "reject"' },
    { name: 'reason', type: 'string', max: 1000 },
  ],
  apply(ctx, m) {
    if (m.decision !== 'accept' && m.decision !== 'reject') throw reject.invalid('action.decision', 'must be "accept" or "reject"');
    if (m.decision === 'reject' && m.reason.trim() === '') throw reject.invalid('action.reason', 'a rejection needs a reason');
    const c = findContribution(ctx.state, m.contribution);
    if (!c) throw reject.notFound('action.contribution', `no contribution ${m.contribution}`);
    const dn = ctx.state.get<DatanetRecord>(keys.datanet(c.datanet))!;
    if (!isCurator(dn, ctx.signer))
      throw reject.forbidden('signer', `${ctx.signer} is not a curator of ${dn.name}; curators are the owner ${dn.owner} and ${dn.curators.length} listed accounts`);
    if (c.status === 'withdrawn') throw reject.gone('action.contribution', `contribution ${c.id} was withdrawn by its author`);
    const status = m.decision === 'accept' ? 'accepted' : 'rejected';
    const counts = ctx.state.get<DatanetCounts>(keys.counts(c.datanet))!;
    const next = { ...counts };
    next[c.status] -= 1;
    next[status] += 1;
    return {
      changes: [
        { key: keys.contribution(c.datanet, c.id), value: { ...c, status, reason: m.reason, decidedBy: ctx.signer } },
        { key: keys.counts(c.datanet), value: { ...next } },
      ],
      result: { contribution: c.id, status },
    };
  },
};
