// OptOut's rules on an in-memory ledger: only the author withdraws, and only once. What
// it records: the contribution withdrawn (its record stays), the counts, and the release
// of its content's blob, which the node then deletes.
import { describe, expect, it } from 'vitest';
import { account, contribute, memoryLedger, openDatanet, sha256 } from '../../../test/fixtures/memoryLedgers.ts';
import { findContribution, keys } from '../records.ts';

const owner = account();
const alice = account();

describe('OptOut', () => {
  it('withdraws the author’s contribution and releases its blob', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    const id = contribute(l, alice, dn, 'mine');
    expect(l.blobs.get(sha256('mine'))).toBe(1);
    const r = l.act(alice, { type: 'OptOut', contribution: id, reason: 'no longer' });
    expect(r.result).toEqual({ contribution: id, status: 'withdrawn' });
    expect(findContribution(l.state, id)).toMatchObject({ status: 'withdrawn', reason: 'no longer', decidedBy: alice.id, contentHash: sha256('mine') });
    expect(l.state.get(keys.counts(dn))).toMatchObject({ accepted: 0, withdrawn: 1 });
    expect(r.effects).toEqual([{ kind: 'releaseBlob', hash: sha256('mine') }]);
    expect(l.blobs.has(sha256('mine'))).toBe(false);
  });

  it('refuses anyone but the author with 403, even the owner', () => {
    const l = memoryLedger();
    const id = contribute(l, alice, openDatanet(l, owner), 'mine');
    expect(l.refusal(() => l.act(owner, { type: 'OptOut', contribution: id, reason: '' }))).toMatchObject({ status: 403, field: 'signer', message: `only the author ${alice.id} may withdraw contribution ${id}` });
  });

  it('refuses a second withdrawal with 409 and an unknown contribution with 404', () => {
    const l = memoryLedger();
    const id = contribute(l, alice, openDatanet(l, owner), 'mine');
    l.act(alice, { type: 'OptOut', contribution: id, reason: '' });
    expect(l.refusal(() => l.act(alice, { type: 'OptOut', contribution: id, reason: '' }))).toMatchObject({ status: 409, field: 'action.contribution', message: `contribution ${id} is already withdrawn` });
    expect(l.refusal(() => l.act(alice, { type: 'OptOut', contribution: 77, reason: '' }))).toMatchObject({ status: 404, field: 'action.contribution' });
  });
});
