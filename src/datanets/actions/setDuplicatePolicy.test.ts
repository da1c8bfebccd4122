// SetDuplicatePolicy's rules on an in-memory ledger: only the owner sets it; the policy is
// off, flag or reject; the threshold and the shortest span are bounded. What it records:
// the datanet's policy, replacing the last.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, openDatanet } from '../../../test/fixtures/memoryLedgers.ts';
import { keys } from '../records.ts';

const owner = account();
const policy = { type: 'SetDuplicatePolicy', policy: 'reject', thresholdPpm: 600_000, minSpan: 16 };

describe('SetDuplicatePolicy', () => {
  it('records the owner’s policy, and a later one replaces it', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    expect(l.act(owner, { ...policy, datanet: dn }).result).toEqual({ datanet: dn, policy: 'reject', thresholdPpm: 600_000, minSpan: 16 });
    l.act(owner, { ...policy, datanet: dn, policy: 'flag', thresholdPpm: 1 });
    expect(l.state.get(keys.duplicatePolicy(dn))).toEqual({ policy: 'flag', thresholdPpm: 1, minSpan: 16 });
  });

  it('refuses anyone but the owner with 403, and an unknown datanet with 404', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner, { policy: 'curated', curators: [account().address] });
    expect(l.refusal(() => l.act(account(), { ...policy, datanet: dn }))).toMatchObject({ status: 403, field: 'signer', message: `only the owner ${owner.id} may set the duplicate policy of ${dn}` });
    expect(l.refusal(() => l.act(owner, { ...policy, datanet: 'nowhere' }))).toMatchObject({ status: 404, field: 'action.datanet' });
  });

  it.each([
    [{ policy: 'warn' }, 'action.policy', /"off", "flag" or "reject"/],
    [{ thresholdPpm: 0 }, 'action.thresholdPpm', /between 1 and 1,000,000/],
    [{ thresholdPpm: 1_000_001 }, 'action.thresholdPpm', /between 1 and 1,000,000/],
    [{ minSpan: 3 }, 'action.minSpan', /between 4 and 1,024 tokens/],
    [{ minSpan: 1025 }, 'action.minSpan', /between 4 and 1,024 tokens/],
  ])('refuses %j with 400', (over, field, message) => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    expect(l.refusal(() => l.act(owner, { ...policy, datanet: dn, ...over }))).toMatchObject({ status: 400, field, message: expect.stringMatching(message) });
  });
});
