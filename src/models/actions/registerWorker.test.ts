// RegisterWorker's rules on an in-memory ledger: a name, and one registration per
// account. What it records: the signer as a compute worker.
import { describe, expect, it } from 'vitest';
import { account, memoryLedger } from '../../../test/fixtures/memoryLedgers.ts';
import { jobKeys } from '../records.ts';

const worker = account();

describe('RegisterWorker', () => {
  it('registers the signer once', () => {
    const l = memoryLedger();
    const r = l.act(worker, { type: 'RegisterWorker', name: 'gpu box' });
    expect(r.result).toEqual({ worker: worker.id });
    expect(l.state.get(jobKeys.worker(worker.id))).toEqual({ address: worker.id, name: 'gpu box', registeredAt: r.index, time: r.entry.time });
    expect(l.refusal(() => l.act(worker, { type: 'RegisterWorker', name: 'again' }))).toMatchObject({ status: 409, field: 'signer', message: `${worker.id} is already a registered worker` });
  });

  it('refuses an empty name', () => {
    const l = memoryLedger();
    expect(l.refusal(() => l.act(worker, { type: 'RegisterWorker', name: '  ' }))).toMatchObject({ status: 400, field: 'action.name', message: 'must not be empty' });
  });
});
