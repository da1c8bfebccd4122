// SetDuplicatePolicy: the owner decides what happens to a contribution whose text is
// mostly already in the datanet (long exact spans of earlier contributions): nothing,
// a flag (the earlier contributors keep the credit for those spans), or a refusal.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { type DatanetRecord, type DuplicatePolicy, keys } from '../records.ts';

export interface SetDuplicatePolicyMessage {
  datanet: string;
  policy: string;
  thresholdPpm: number;
  minSpan: number;
}

export const setDuplicatePolicy: ActionDefinition<SetDuplicatePolicyMessage> = {
  type: 'SetDuplicatePolicy',
  signer: 'user',
  description: 'Set what happens to near-duplicate contributions: "off", "flag" or "reject" above a coverage threshold.',
  fields: [
    { name: 'datanet', type: 'string', max: 63 },
    { name: 'policy', type: 'string', max: 16, description: '"off", "flag" or "reject"' },
    { name: 'thresholdPpm', type: 'uint64', description: 'Share of the new text (parts per million) already covered by long spans that counts as a duplicate' },
    { name: 'minSpan', type: 'uint64', description: 'Shortest span, in tokens, that counts as copied' },
  ],
  apply(ctx, m) {
    const dn = ctx.state.get<DatanetRecord>(keys.datanet(m.datanet));
    if (!dn) throw reject.notFound('action.datanet', `no datanet named ${m.datanet}`);
    if (dn.owner !== ctx.signer) throw reject.forbidden('signer', `only the owner ${dn.owner} may set the duplicate policy of ${dn.name}`);
    if (m.policy !== 'off' && m.policy !== 'flag' && m.policy !== 'reject') throw reject.invalid('action.policy', 'must be "off", "flag" or "reject"');
    if (m.thresholdPpm < 1 || m.thresholdPpm > 1_000_000) throw reject.invalid('action.thresholdPpm', 'must be between 1 and 1,000,000');
    if (m.minSpan < 4 || m.minSpan > 1024) throw reject.invalid('action.minSpan', 'must be between 4 and 1,024 tokens');
    const policy: DuplicatePolicy = { policy: m.policy, thresholdPpm: m.thresholdPpm, minSpan: m.minSpan };
    return { changes: [{ key: keys.duplicatePolicy(m.datanet), value: { ...policy } }], result: { datanet: m.datanet, ...policy } };
  },
};
