// InferenceRecord's rules on an in-memory ledger: a registered model; attribution weights
// one per contribution, ascending, each 1..1,000,000 and summing to at most 1,000,000, on
// existing contributions; paid from the call's hold (never beyond what it was made for),
// or from the prepaid balance, and 402 when that cannot pay. What it records: the fee
// split exactly by the model's policy (the baseline into the model's pool), the rest of
// a hold returned, and the earnings and usage views.
import { describe, expect, it } from 'vitest';
import { account, fund, memoryLedger, registerBase, registerModel, servedModel, sha256, trainedModel } from '../../../test/fixtures/memoryLedgers.ts';
import { accounts } from '../../money/accounts.ts';
import { findHold, moneyKeys } from '../records.ts';

const owner = account();
const alice = account();
const bob = account();
const caller = account();
const provider = account();

const served = () => servedModel({ owner, authors: [alice, bob], caller, provider });

describe('InferenceRecord', () => {
  it('splits the fee by the policy: baseline to the pool, usage by weight, owner, compute, treasury', () => {
    const { l, model, contributions, datanet, record } = served();
    const r = l.node(record());
    // Fee 2000: data 1000 (baseline 500 to the pool, usage 500), owner 400, compute 400, treasury 200.
    expect(r.result).toEqual({
      inference: r.index,
      requester: caller.id,
      fee: '2000',
      split: [
        { account: accounts.pool(model), role: 'baseline', amount: '500' },
        { account: alice.id, role: 'usage', amount: '500', contribution: contributions[0] },
        { account: owner.id, role: 'owner', amount: '400' },
        { account: provider.id, role: 'compute', amount: '400' },
        { account: 'treasury', role: 'treasury', amount: '200' },
      ],
    });
    const bal = (a: string) => l.state.get(moneyKeys.balance(a));
    expect([bal(caller.id), bal(accounts.pool(model)), bal(accounts.earnings(alice.id)), bal(accounts.earnings(owner.id)), bal(accounts.earnings(provider.id)), bal('treasury')]).toEqual([
      '8000', '500', '500', '400', '400', '200',
    ]);
    expect(l.views.get(moneyKeys.modelUsage(model))).toEqual({ inferences: '1', inputTokens: '1000', outputTokens: '500', fees: '2000', data: '1000', owner: '400', compute: '400', treasury: '200' });
    expect(l.views.get(moneyKeys.contributionEarnings(contributions[0]))).toEqual({ usage: '500' });
    expect(l.views.get(moneyKeys.datanetEarnings(datanet))).toEqual({ usage: '500' });
    expect(l.views.get(moneyKeys.accountEarnings(provider.id))).toEqual({ compute: '400' });
    expect(l.journal.filter((j) => j.entry === r.index).reduce((s, j) => s + BigInt(j.amount), 0n)).toBe(2000n);
  });

  it('pays from the call’s hold and returns the rest of it', () => {
    const { l, model, record } = served();
    const hold = l.node({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 1000, maxTokens: 500, holder: 'a/1', ttlMs: 1000 }).index;
    expect(l.state.get(moneyKeys.balance(caller.id))).toBe('8000');
    // 200 output tokens: a fee of 1400 from the hold of 2000; 600 back.
    expect(l.node(record({ outputTokens: 200, reservation: hold })).result.fee).toBe('1400');
    expect(l.state.get(moneyKeys.balance(caller.id))).toBe('8600');
    expect(findHold(l.state, hold)).toBeUndefined();
    expect(l.state.get(moneyKeys.balance(accounts.hold(hold)))).toBeUndefined();
  });

  it('refuses to charge a hold beyond what it was made for, or for another caller or model', () => {
    const { l, model, record } = served();
    const hold = l.node({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 1000, maxTokens: 500, holder: 'a/1', ttlMs: 1000 }).index;
    expect(l.refusal(() => l.node(record({ outputTokens: 501, reservation: hold })))).toMatchObject({ status: 400, field: 'action.outputTokens', message: expect.stringMatching(/exceed what reservation/) });
    expect(l.refusal(() => l.node(record({ inputTokens: 999, reservation: hold })))).toMatchObject({ status: 400, field: 'action.outputTokens' });
    expect(l.refusal(() => l.node(record({ requester: alice.address, reservation: hold })))).toMatchObject({ status: 400, field: 'action.reservation', message: expect.stringMatching(/holds money of/) });
  });

  it('pays from the prepaid balance when the call’s hold was released already', () => {
    const { l, model, record } = served();
    const hold = l.node({ type: 'ReserveInference', model, requester: caller.address, inputTokens: 1000, maxTokens: 500, holder: 'a/1', ttlMs: 1 }).index;
    l.node({ type: 'ReleaseReservation', reservation: hold });
    expect(l.node(record({ reservation: hold })).result.fee).toBe('2000');
    expect(l.state.get(moneyKeys.balance(caller.id))).toBe('8000');
  });

  it('without training data, gives the baseline to usage, or with no usage either, to the treasury', () => {
    const l = memoryLedger();
    const model = registerModel(l, owner, registerBase(l, owner));
    const { contributions: [c] } = trainedModel(l, owner, [alice], [5]);
    fund(l, caller, 10_000n);
    const infer = { type: 'InferenceRecord', model, requester: caller.address, provider: provider.address, inputTokens: 1000, outputTokens: 500, outputHash: sha256('x'), reservation: 0 };
    const used = l.node({ ...infer, contributions: [c], weightsPpm: [1] }).result.split;
    expect(used).toContainEqual({ account: alice.id, role: 'usage', amount: '1000', contribution: c });
    const unattributed = l.node({ ...infer, contributions: [], weightsPpm: [] }).result.split;
    expect(unattributed).toContainEqual({ account: 'treasury', role: 'treasury', amount: '1200' });
    expect(l.state.get(moneyKeys.balance(accounts.treasury))).toBe('1400');
  });

  it('refuses a requester who cannot pay with 402', () => {
    const { l, record } = served();
    const poor = account();
    const r = l.refusal(() => l.node(record({ requester: poor.address })));
    expect(r).toMatchObject({ status: 402, field: 'action.requester', details: { balance: '0', fee: '2000' } });
    expect(r.message).toMatch(/costs 2000 \(1000 input and 500 output tokens\): deposit more first/);
  });

  it.each([
    [{ weightsPpm: [1, 2] }, 'action.weightsPpm', /has 2 weights for 1 contributions/],
    [{ weightsPpm: [0] }, 'action.weightsPpm.0', /from 1 to 1000000/],
    [{ weightsPpm: [1_000_001] }, 'action.weightsPpm.0', /from 1 to 1000000/],
  ])('refuses weights %j', (over, field, message) => {
    const { l, record } = served();
    expect(l.refusal(() => l.node(record(over)))).toMatchObject({ status: 400, field, message: expect.stringMatching(message) });
  });

  it('refuses contributions out of order or unknown, weights over the whole, and an unknown model', () => {
    const { l, contributions: [a, b], record } = served();
    expect(l.refusal(() => l.node(record({ contributions: [b, a], weightsPpm: [1, 1] })))).toMatchObject({ status: 400, field: 'action.contributions.1', message: 'contributions must be strictly ascending' });
    expect(l.refusal(() => l.node(record({ contributions: [a, a], weightsPpm: [1, 1] })))).toMatchObject({ status: 400, field: 'action.contributions.1' });
    expect(l.refusal(() => l.node(record({ contributions: [a, b], weightsPpm: [600_000, 400_001] })))).toMatchObject({ status: 400, field: 'action.weightsPpm', message: 'weights sum to 1000001, more than 1000000' });
    expect(l.refusal(() => l.node(record({ contributions: [a, 9999], weightsPpm: [1, 1] })))).toMatchObject({ status: 404, field: 'action.contributions.1', message: 'no contribution 9999' });
    expect(l.refusal(() => l.node(record({ model: 'nope@1' })))).toMatchObject({ status: 404, field: 'action.model' });
  });
});
