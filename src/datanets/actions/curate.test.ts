// Curate's rules on an in-memory ledger: only the owner and the listed curators decide;
// a decision is "accept" or "reject" (with a reason); curators may change their mind,
// but nobody curates withdrawn content. What it records: the new status, who decided
// and why, and the counts moved from the old status to the new.
import { describe, expect, it } from 'vitest';
import { account, contribute, memoryLedger, openDatanet } from '../../../test/fixtures/memoryLedgers.ts';
import { findContribution, keys } from '../records.ts';

const owner = account();
const curator = account();
const alice = account();

function curated() {
  const l = memoryLedger();
  const dn = openDatanet(l, owner, { policy: 'curated', curators: [curator.address] });
  const id = contribute(l, alice, dn, 'a poem');
  return { l, dn, id };
}

describe('Curate', () => {
  it('lets a curator accept, and the owner change it to a rejection, moving the counts', () => {
    const { l, dn, id } = curated();
    expect(l.act(curator, { type: 'Curate', contribution: id, decision: 'accept', reason: '' }).result).toEqual({ contribution: id, status: 'accepted' });
    expect(findContribution(l.state, id)).toMatchObject({ status: 'accepted', decidedBy: curator.id });
    expect(l.state.get(keys.counts(dn))).toMatchObject({ pending: 0, accepted: 1, rejected: 0 });
    l.act(owner, { type: 'Curate', contribution: id, decision: 'reject', reason: 'off topic' });
    expect(findContribution(l.state, id)).toMatchObject({ status: 'rejected', reason: 'off topic', decidedBy: owner.id });
    expect(l.state.get(keys.counts(dn))).toMatchObject({ pending: 0, accepted: 0, rejected: 1 });
  });

  it('refuses anyone else with 403, naming the curators', () => {
    const { l, id } = curated();
    const r = l.refusal(() => l.act(alice, { type: 'Curate', contribution: id, decision: 'accept', reason: '' }));
    expect(r).toMatchObject({ status: 403, field: 'signer' });
    expect(r.message).toMatch(new RegExp(`${alice.id} is not a curator of .*the owner ${owner.id} and 1 listed accounts`));
  });

  it('refuses a bad decision, a rejection without reason, and an unknown contribution', () => {
    const { l, id } = curated();
    expect(l.refusal(() => l.act(owner, { type: 'Curate', contribution: id, decision: 'maybe', reason: '' }))).toMatchObject({ status: 400, field: 'action.decision' });
    expect(l.refusal(() => l.act(owner, { type: 'Curate', contribution: id, decision: 'reject', reason: ' ' }))).toMatchObject({ status: 400, field: 'action.reason', message: 'a rejection needs a reason' });
    expect(l.refusal(() => l.act(owner, { type: 'Curate', contribution: 999, decision: 'accept', reason: '' }))).toMatchObject({ status: 404, field: 'action.contribution', message: 'no contribution 999' });
  });

  it('refuses to curate withdrawn content with 410', () => {
    const { l, id } = curated();
    l.act(alice, { type: 'OptOut', contribution: id, reason: 'changed my mind' });
    expect(l.refusal(() => l.act(curator, { type: 'Curate', contribution: id, decision: 'accept', reason: '' }))).toMatchObject({
      status: 410,
      field: 'action.contribution',
      message: `contribution ${id} was withdrawn by its author`,
    });
  });
});
