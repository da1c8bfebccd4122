// FlagDuplicate's rules on an in-memory ledger: a node action (no account may flag), on
// an existing contribution, naming only earlier ones as what it repeats. What it records:
// the repeats and the coverage on the contribution, which otherwise keeps its status.
import { describe, expect, it } from 'vitest';
import { account, contribute, memoryLedger, openDatanet } from '../../../test/fixtures/memoryLedgers.ts';
import { findContribution } from '../records.ts';

const owner = account();
const alice = account();

describe('FlagDuplicate', () => {
  it('records what an accepted contribution repeats, keeping its status', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    const first = contribute(l, alice, dn, 'the original text');
    const copy = contribute(l, account(), dn, 'the original text, again');
    const r = l.node({ type: 'FlagDuplicate', contribution: copy, coveragePpm: 700_000, repeats: [first] });
    expect(r.result).toEqual({});
    expect(findContribution(l.state, copy)).toMatchObject({ status: 'accepted', duplicateOf: [first], coveragePpm: 700_000 });
  });

  it('refuses a later contribution as the one repeated, and an unknown contribution', () => {
    const l = memoryLedger();
    const dn = openDatanet(l, owner);
    const first = contribute(l, alice, dn, 'a');
    const second = contribute(l, alice, dn, 'b');
    expect(l.refusal(() => l.node({ type: 'FlagDuplicate', contribution: first, coveragePpm: 1, repeats: [second] }))).toMatchObject({
      status: 400,
      field: 'action.repeats',
      message: 'a contribution can only repeat earlier ones',
    });
    expect(l.refusal(() => l.node({ type: 'FlagDuplicate', contribution: first, coveragePpm: 1, repeats: [first] }))).toMatchObject({ status: 400, field: 'action.repeats' });
    expect(l.refusal(() => l.node({ type: 'FlagDuplicate', contribution: 99, coveragePpm: 1, repeats: [] }))).toMatchObject({ status: 404, field: 'action.contribution' });
  });

  it('is refused when an account signs it', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(alice, { type: 'FlagDuplicate', contribution: 1, coveragePpm: 1, repeats: [] }))).toMatchObject({
      status: 401,
      field: 'signature',
      message: 'FlagDuplicate must be signed by the node key',
    });
  });
});
