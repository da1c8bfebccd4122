// CompleteTrainingJob's rules on an in-memory ledger: an open job; a registered worker; a
// reported loss that is a decimal and matches what the node measured on the held-out
// split (attested in the entry) within the tolerance; an adapter that lowers the base's
// loss. What it records: the result on the job, the escrowed fee paid to the worker's
// earnings; and a model registered from the job must match its base, adapter and data.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger, openJob, registerBase, registerModel, sha256 } from '../../../test/fixtures/memoryLedgers.ts';
import { accounts } from '../../money/accounts.ts';
import { findModel, moneyKeys } from '../../settlement/records.ts';
import { escrowAccount, findJob } from '../records.ts';
import { EVAL_LOSS_TOLERANCE } from './completeTrainingJob.ts';

const owner = account();
const worker = account();
const adapter = sha256('adapter');
const measured = { evalLoss: 3.25, baseEvalLoss: 3.5 };

function open() {
  const l = memoryLedger();
  const { base, datanet, version, job } = openJob(l, owner);
  const snap = { datanet, version };
  l.act(worker, { type: 'RegisterWorker', name: 'w' });
  const result = (over: Record<string, unknown> = {}) => ({ type: 'CompleteTrainingJob', job, adapter, trainerVersion: 'tributary-lora/1', evalLoss: '3.2512', ...over });
  return { l, base, snap, job, result };
}

describe('CompleteTrainingJob', () => {
  it('records the result and pays the escrowed fee to the worker', () => {
    const { l, job, result } = open();
    const r = l.act(worker, result(), measured);
    expect(r.result).toEqual({ job, adapter, evalLoss: 3.25, baseEvalLoss: 3.5, paid: '60' });
    expect(findJob(l.state, job)).toMatchObject({
      status: 'done',
      result: { worker: worker.id, adapter, trainerVersion: 'tributary-lora/1', reportedEvalLoss: 3.2512, evalLoss: 3.25, baseEvalLoss: 3.5, completedAt: r.index },
    });
    expect(l.state.get(moneyKeys.balance(escrowAccount(job)))).toBeUndefined();
    expect(l.state.get(moneyKeys.balance(accounts.earnings(worker.id)))).toBe('60');
    expect(l.views.get(moneyKeys.accountEarnings(worker.id))).toEqual({ compute: '60' });
    expect(l.refusal(() => l.act(worker, result(), measured))).toMatchObject({ status: 409, field: 'action.job', message: `job ${job} is already done (by ${worker.id})` });
  });

  it('refuses a loss the node did not reproduce, and an adapter that learned nothing', () => {
    const { l, result } = open();
    const off = (measured.evalLoss + EVAL_LOSS_TOLERANCE * 2).toFixed(4);
    expect(l.refusal(() => l.act(worker, result({ evalLoss: off }), measured))).toMatchObject({
      status: 400,
      field: 'action.evalLoss',
      message: `the worker reports ${off} but the node measured 3.250000 on the held-out split`,
    });
    expect(l.refusal(() => l.act(worker, result({ evalLoss: '3.5' }), { evalLoss: 3.5, baseEvalLoss: 3.5 }))).toMatchObject({ status: 422, code: 'no_improvement', field: 'action.adapter' });
    expect(l.refusal(() => l.act(worker, result()))).toMatchObject({ status: 400, field: 'attest.evalLoss', message: 'the node must attest the held-out loss it measured' });
    expect(l.refusal(() => l.act(worker, result(), { evalLoss: 3.25 }))).toMatchObject({ status: 400, field: 'attest.evalLoss' });
    expect(l.refusal(() => l.act(worker, result({ evalLoss: '1e3' }), measured))).toMatchObject({ status: 400, field: 'action.evalLoss', message: expect.stringMatching(/decimal number of nats per token/) });
  });

  it('refuses an account that is not a registered worker, and an unknown job', () => {
    const { l, result } = open();
    const stranger = account();
    expect(l.refusal(() => l.act(stranger, result(), measured))).toMatchObject({ status: 403, field: 'signer', message: `${stranger.id} is not a registered worker` });
    expect(l.refusal(() => l.act(worker, result({ job: 999 }), measured))).toMatchObject({ status: 404, field: 'action.job' });
  });

  it('lets the owner register a model from the job, with its provenance, and nothing else', () => {
    const { l, base, snap, job, result } = open();
    l.act(worker, result(), measured);
    const over = { job, adapter, datanet: snap.datanet, snapshot: snap.version };
    const tokens = { trainingTokens: [5, 5] };
    expect(l.refusal(() => registerModel(l, owner, base, { ...over, adapter: sha256('another') }, tokens))).toMatchObject({ status: 400, field: 'action.adapter', message: expect.stringMatching(/^job \d+ has adapter/) });
    const otherBase = registerBase(l, owner);
    expect(l.refusal(() => registerModel(l, owner, otherBase, over, tokens))).toMatchObject({ status: 400, field: 'action.base' });
    const id = registerModel(l, owner, base, over, tokens);
    expect(findModel(l.state, id)!.training).toEqual({ job, configHash: findJob(l.state, job)!.configHash, trainerVersion: 'tributary-lora/1', evalLoss: 3.25, baseEvalLoss: 3.5, worker: worker.id });
  });
});
