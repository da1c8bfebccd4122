// RegisterModel's rules on an in-memory ledger: a well-formed name, owned by its first
// registrant; a fee policy whose shares sum to 10,000; a registered base; an adapter the
// node checked, or one a completed job of the signer's made; a datanet version with the
// node's token count for each of its contributions. What it records: the version with
// its policy, fixed for good, and the training rows (contribution, author, tokens > 0).
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, openJob, registerBase, registerModel, sha256, snapshotOf } from '../../../test/fixtures/memoryLedgers.ts';
import { findModel, type ModelRecord, moneyKeys } from '../records.ts';

const owner = account();
const alice = account();

describe('RegisterModel', () => {
  it('registers versions of a name with the training rows the node attested', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    const snap = snapshotOf(l, owner, 3, alice);
    const id = registerModel(l, owner, base, { name: 'poet', datanet: snap.datanet, snapshot: snap.version }, { trainingTokens: [30, 0, 10] });
    expect(id).toBe('poet@1');
    const m = findModel(l.state, 'poet@1')!;
    expect(m).toMatchObject<Partial<ModelRecord>>({
      name: 'poet',
      version: 1,
      owner: owner.id,
      base,
      policy: { pricePer1kInput: '1000', pricePer1kOutput: '2000', shares: { data: 5000, owner: 2000, compute: 2000, treasury: 1000 }, baselineBps: 5000 },
      trainingContributions: 2,
      trainingTokens: 40,
    });
    const [c0, , c2] = snap.contributions;
    expect(l.state.get(moneyKeys.training('poet@1'))).toEqual([
      [c0, alice.id, 30],
      [c2, alice.id, 10],
    ]);
    expect(registerModel(l, owner, base, { name: 'poet' })).toBe('poet@2');
    expect(l.state.get(moneyKeys.modelName('poet'))).toEqual({ name: 'poet', owner: owner.id, versions: 2 });
  });

  it('refuses a version of someone else’s name with 403', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    registerModel(l, owner, base, { name: 'poet' });
    expect(l.refusal(() => registerModel(l, alice, base, { name: 'poet' }))).toMatchObject({ status: 403, field: 'signer', message: expect.stringMatching(/belongs to/) });
  });

  it.each([
    [{ name: 'Poet' }, 'action.name'],
    [{ dataBps: 5001 }, 'action.dataBps'],
    [{ ownerBps: 10_001 }, 'action.ownerBps'],
    [{ baselineBps: 10_001 }, 'action.baselineBps'],
    [{ snapshot: 1 }, 'action.snapshot'],
  ])('refuses %j with 400 on %s', (over, field) => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    expect(l.refusal(() => registerModel(l, owner, base, over))).toMatchObject({ status: 400, field });
  });

  it('refuses an unknown base, datanet or version with 404', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    expect(l.refusal(() => registerModel(l, owner, sha256('nothing')))).toMatchObject({ status: 404, field: 'action.base', message: expect.stringMatching(/register it first/) });
    expect(l.refusal(() => registerModel(l, owner, base, { datanet: 'nowhere', snapshot: 1 }))).toMatchObject({ status: 404, field: 'action.datanet' });
    const snap = snapshotOf(l, owner, 1);
    expect(l.refusal(() => registerModel(l, owner, base, { datanet: snap.datanet, snapshot: 9 }, { trainingTokens: [1] }))).toMatchObject({ status: 404, field: 'action.snapshot' });
  });

  it('needs the node’s token counts for every contribution of the version', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    const snap = snapshotOf(l, owner, 2);
    for (const trainingTokens of [undefined, [1], [1, -1], [1, 1.5]])
      expect(l.refusal(() => registerModel(l, owner, base, { datanet: snap.datanet, snapshot: snap.version }, trainingTokens ? { trainingTokens } : {}))).toMatchObject({
        status: 400,
        field: 'attest.trainingTokens',
        message: expect.stringMatching(/token count of each of the 2 contributions/),
      });
  });

  it('takes an outside adapter only once the node checked it', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    const adapter = sha256('adapter');
    expect(l.refusal(() => registerModel(l, owner, base, { adapter }))).toMatchObject({ status: 400, field: 'action.adapter', message: expect.stringMatching(/upload it first/) });
    expect(registerModel(l, owner, base, { adapter }, { adapterChecked: true })).toMatch(/@1$/);
  });

  it('refuses a job that is unknown, not the signer’s, or not done', () => {
    const l = memoryLedger();
    const base = registerBase(l, owner);
    expect(l.refusal(() => registerModel(l, owner, base, { job: 42 }))).toMatchObject({ status: 404, field: 'action.job' });
    const { base: jobBase, datanet, version, job } = openJob(l, owner, 10n);
    const over = { job, datanet, snapshot: version };
    expect(l.refusal(() => registerModel(l, alice, jobBase, over, { trainingTokens: [1, 1] }))).toMatchObject({ status: 403, field: 'action.job' });
    expect(l.refusal(() => registerModel(l, owner, jobBase, over, { trainingTokens: [1, 1] }))).toMatchObject({ status: 409, field: 'action.job', message: `job ${job} has no accepted result yet` });
  });
});
