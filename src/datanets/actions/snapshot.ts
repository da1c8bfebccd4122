// Snapshot: the owner or a curator fixes a version of the datanet: the Merkle root
// over its accepted contributions as of this log position. Training and attribution
// name a datanet by (name, version), so a version never changes once taken.
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import { type ContributionRecord, type DatanetCounts, type DatanetRecord, isCurator, keys, type SnapshotRecord } from '../records.ts';
import { snapshotRoot } from '../snapshotRoot.ts';

export interface SnapshotMessage {
  datanet: string;
}

export const snapshot: ActionDefinition<SnapshotMessage> = {
  type: 'Snapshot',
  signer: 'user',
  description: 'Take a new version of a datanet: the Merkle root over its accepted contributions.',
  fields: [{ name: 'datanet', type: 'string', max: 63 }],
  apply(ctx, m) {
    const dn = ctx.state.get<DatanetRecord>(keys.datanet(m.datanet));
    if (!dn) throw reject.notFound('action.datanet', `no datanet named ${m.datanet}`);
    if (!isCurator(dn, ctx.signer)) throw reject.forbidden('signer', `only the owner or a curator of ${dn.name} may take a snapshot`);
    const accepted = ctx.state
      .list<ContributionRecord>(keys.contributionPrefix(m.datanet))
      .map(([, c]) => c)
      .filter((c) => c.status === 'accepted');
    const counts = ctx.state.get<DatanetCounts>(keys.counts(m.datanet))!;
    const version = counts.snapshots + 1;
    const record: SnapshotRecord = {
      datanet: m.datanet,
      version,
      logSize: ctx.index,
      time: ctx.time,
      root: snapshotRoot(accepted),
      count: accepted.length,
      bytes: accepted.reduce((s, c) => s + c.size, 0),
      contributions: accepted.map((c) => c.id),
    };
    return {
      changes: [
        { key: keys.snapshot(m.datanet, version), value: { ...record } },
        { key: keys.counts(m.datanet), value: { ...counts, snapshots: version } },
      ],
      result: { datanet: m.datanet, version, root: record.root, count: record.count },
    };
  },
};
