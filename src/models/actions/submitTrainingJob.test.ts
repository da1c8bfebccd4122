// SubmitTrainingJob's rules on an in-memory ledger: a registered base the built-in
// trainer can train (GPT-2 BPE, F32); a datanet version with at least two contributions
// not withdrawn; a trainer config that parses and fits the base; a compute fee the
// prepaid balance covers (402 otherwise, before anything is escrowed). What it records:
// the job, with the documents fixed at submission and the config's canonical form and
// hash, and the fee moved into the job's escrow.
import { describe, expect, it } from 'vitest';
import { account, fund, llamaInfo, memoryLedger, registerBase, sha256, snapshotOf } from '../../../test/fixtures/memoryLedgers.ts';
import { moneyKeys } from '../../settlement/records.ts';
import { escrowAccount, findJob } from '../records.ts';
import { canonicalConfig, configHash, parseTrainingConfig } from '../trainer/config.ts';

const owner = account();

function ready(info = llamaInfo()) {
  const l = memoryLedger();
  const base = registerBase(l, owner, undefined, info);
  const snap = snapshotOf(l, owner, 3);
  fund(l, owner, 100n);
  const job = (over: Record<string, unknown> = {}) => ({ type: 'SubmitTrainingJob', base, datanet: snap.datanet, snapshot: snap.version, config: '{"steps":20}', computeFee: '60', ...over });
  return { l, base, snap, job };
}

describe('SubmitTrainingJob', () => {
  it('escrows the fee and records the job with the documents not withdrawn', () => {
    const { l, base, snap, job } = ready();
    l.act(owner, { type: 'OptOut', contribution: snap.contributions[1], reason: '' });
    const r = l.act(owner, job());
    const config = parseTrainingConfig('{"steps":20}');
    expect(r.result).toEqual({ job: r.index, configHash: configHash(config) });
    expect(findJob(l.state, r.index)).toMatchObject({
      id: r.index,
      owner: owner.id,
      base,
      datanet: snap.datanet,
      snapshot: snap.version,
      config: canonicalConfig(config),
      computeFee: '60',
      documents: [snap.contributions[0], snap.contributions[2]],
      status: 'open',
    });
    expect(l.state.get(moneyKeys.balance(escrowAccount(r.index)))).toBe('60');
    expect(l.state.get(moneyKeys.balance(owner.id))).toBe('40');
  });

  it('refuses a fee the prepaid balance cannot cover with 402', () => {
    const { l, job } = ready();
    expect(l.refusal(() => l.act(owner, job({ computeFee: '101' })))).toMatchObject({
      status: 402,
      field: 'action.computeFee',
      message: `${owner.id} has 100 base units prepaid but the job's compute fee is 101: deposit more first`,
      details: { balance: '100', fee: '101' },
    });
  });

  it('refuses a base the built-in trainer cannot train', () => {
    const spm = ready(llamaInfo({ tokenizer: { model: 'llama', hash: sha256('t') } }));
    expect(spm.l.refusal(() => spm.l.act(owner, spm.job()))).toMatchObject({ status: 400, field: 'action.base', message: expect.stringMatching(/needs a GPT-2 BPE tokenizer/) });
    const f16 = ready(llamaInfo({ tensorTypes: ['F16'] }));
    expect(f16.l.refusal(() => f16.l.act(owner, f16.job()))).toMatchObject({ status: 400, field: 'action.base', message: expect.stringMatching(/reads F32 weights; this base has F16/) });
    const { l, job } = ready();
    expect(l.refusal(() => l.act(owner, job({ base: sha256('none') })))).toMatchObject({ status: 404, field: 'action.base' });
  });

  it('refuses a missing version, or one with fewer than two documents', () => {
    const { l, snap, job } = ready();
    expect(l.refusal(() => l.act(owner, job({ snapshot: 9 })))).toMatchObject({ status: 404, field: 'action.snapshot' });
    for (const id of snap.contributions.slice(1)) l.act(owner, { type: 'OptOut', contribution: id, reason: '' });
    expect(l.refusal(() => l.act(owner, job()))).toMatchObject({ status: 400, field: 'action.snapshot', message: expect.stringMatching(/holds 1 contributions; training needs at least 2/) });
  });

  it.each([
    ['not json', 'action.config.config', /is not JSON/],
    ['{"epochs":3}', 'action.config.epochs', /is not a training option/],
    ['{"rank":0}', 'action.config.rank', /must be a whole number from 1 to 256/],
    ['{"sequenceLength":512}', 'action.config.sequenceLength', /longer than the base model's context of 256 tokens/],
    ['{"rank":65}', 'action.config.rank', /more than the base model's narrowest adapted width, 64/],
  ])('refuses the config %s', (config, field, message) => {
    const { l, job } = ready();
    expect(l.refusal(() => l.act(owner, job({ config })))).toMatchObject({ status: 400, field, message: expect.stringMatching(message) });
  });
});
