// Snapshot's rules on an in-memory ledger: only the owner or a curator takes one. What it
// records: version n+1 over exactly the accepted contributions (not pending, rejected or
// withdrawn ones), their Merkle root, count and bytes; an earlier version never changes.
import { describe, expect, it } from 'vitest';
import { account, contribute, memoryLedger, openDatanet } from '../../../test/fixtures/memoryLedgers.ts';
import { type ContributionRecord, findContribution, keys, type SnapshotRecord } from '../records.ts';
import { snapshotRoot } from '../snapshotRoot.ts';

const owner = account();
const curator = account();
const alice = account();

describe('Snapshot', () => {
  it('fixes a version over the accepted contributions only', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner, { policy: 'curated', curators: [curator.address] });
    const [a, b, c, d] = ['one', 'two!', 'three', 'four'].map((t) => contribute(l, alice, dn, t));
    for (const id of [a, b, d]) l.act(curator, { type: 'Curate', contribution: id, decision: 'accept', reason: '' });
    l.act(owner, { type: 'Curate', contribution: b, decision: 'reject', reason: 'dup' });
    l.act(alice, { type: 'OptOut', contribution: d, reason: '' });
    void c; // pending: left out
    const r = l.act(curator, { type: 'Snapshot', datanet: dn });
    const accepted = [findContribution(l.state, a)!] as ContributionRecord[];
    const snap = l.state.get<SnapshotRecord>(keys.snapshot(dn, 1))!;
    expect(snap).toEqual({ datanet: dn, version: 1, logSize: r.index, time: r.entry.time, root: snapshotRoot(accepted), count: 1, bytes: 3, contributions: [a] });
    expect(r.result).toEqual({ datanet: dn, version: 1, root: snap.root, count: 1 });
    expect(l.state.get(keys.counts(dn))).toMatchObject({ snapshots: 1 });

    l.act(owner, { type: 'Curate', contribution: c, decision: 'accept', reason: '' });
    expect(l.act(owner, { type: 'Snapshot', datanet: dn }).result).toMatchObject({ version: 2, count: 2 });
    expect(l.state.get(keys.snapshot(dn, 1))).toEqual(snap);
  });

  it('takes an empty snapshot of a datanet with nothing accepted', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    expect(l.act(owner, { type: 'Snapshot', datanet: dn }).result).toMatchObject({ version: 1, count: 0, root: snapshotRoot([]) });
  });

  it('refuses a contributor who is not a curator with 403, and an unknown datanet with 404', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    contribute(l, alice, dn, 'x');
    expect(l.refusal(() => l.act(alice, { type: 'Snapshot', datanet: dn }))).toMatchObject({ status: 403, field: 'signer', message: `only the owner or a curator of ${dn} may take a snapshot` });
    expect(l.refusal(() => l.act(owner, { type: 'Snapshot', datanet: 'nowhere' }))).toMatchObject({ status: 404, field: 'action.datanet' });
  });
});
