// FlagDuplicate: the node records that a contribution repeats earlier ones, measured at
// intake against the datanet's index: how much of it was covered, and by whom. The
// measurement is made before sequencing and written here, so replay never redoes it.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { findContribution, keys } from '../records.ts';

export interface FlagDuplicateMessage {
  contribution: number;
  coveragePpm: number;
  repeats: number[];
}

export const flagDuplicate: ActionDefinition<FlagDuplicateMessage> = {
  type: 'FlagDuplicate',
  signer: 'node',
  description: 'The node flags a contribution as repeating earlier ones; those keep the credit for the shared spans.',
  fields: [
    { name: 'contribution', type: 'uint64' },
    { name: 'coveragePpm', type: 'uint64', description: 'Share of its tokens covered by long spans of earlier contributions' },
    { name: 'repeats', type: 'uint64[]', max: 64, description: 'The earlier contributions it repeats' },
  ],
  apply(ctx, m) {
    const c = findContribution(ctx.state, m.contribution);
    if (!c) throw reject.notFound('action.contribution', `no contribution ${m.contribution}`);
    if (m.repeats.some((id) => id >= c.id)) throw reject.invalid('action.repeats', 'a contribution can only repeat earlier ones');
    return {
      changes: [{ key: keys.contribution(c.datanet, c.id), value: { ...c, duplicateOf: [...m.repeats], coveragePpm: m.coveragePpm } }],
    };
  },
};
