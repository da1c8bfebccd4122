// CancelTrainingJob's rules on an in-memory ledger: only the job's owner, only while it
// is open. What it records: the job cancelled and its escrowed fee back in the owner's
// prepaid balance. (That no worker holds the job's lease is the node's intake check.)
import { describe, expect, it } from 'vitest';
import { account, fund, memoryLedger, openJob } from '../../../test/fixtures/memoryLedgers.ts';
import { moneyKeys } from '../../settlement/records.ts';
import { escrowAccount, findJob } from '../records.ts';

const owner = account();

function submitted() {
  const l = memoryLedger();
  fund(l, owner, 40n);
  const { job } = openJob(l, owner, 60n);
  return { l, job };
}

describe('CancelTrainingJob', () => {
  it('refunds the escrow to the owner, once', () => {
    const { l, job } = submitted();
    expect(l.act(owner, { type: 'CancelTrainingJob', job }).result).toEqual({ job, refunded: '60' });
    expect(findJob(l.state, job)!.status).toBe('cancelled');
    expect(l.state.get(moneyKeys.balance(owner.id))).toBe('100');
    expect(l.state.get(moneyKeys.balance(escrowAccount(job)))).toBeUndefined();
    expect(l.journal.at(-1)).toMatchObject({ from: escrowAccount(job), to: owner.id, amount: '60', memo: `refund:job/${job}` });
    expect(l.refusal(() => l.act(owner, { type: 'CancelTrainingJob', job }))).toMatchObject({ status: 409, field: 'action.job', message: `job ${job} is already cancelled` });
  });

  it('refuses anyone but the owner with 403, and an unknown job with 404', () => {
    const { l, job } = submitted();
    expect(l.refusal(() => l.act(account(), { type: 'CancelTrainingJob', job }))).toMatchObject({ status: 403, field: 'signer', message: `job ${job} belongs to ${owner.id}` });
    expect(l.refusal(() => l.act(owner, { type: 'CancelTrainingJob', job: 12345 }))).toMatchObject({ status: 404, field: 'action.job', message: 'no training job 12345' });
  });
});
