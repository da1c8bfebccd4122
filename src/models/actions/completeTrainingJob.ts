// CompleteTrainingJob: the worker that leased a job hands in its result: the adapter
// (uploaded and validated against the base), the trainer version, and the held-out loss.
// Before sequencing, the node evaluates the adapter on the job's held-out split itself
// and attests what it measured; a result whose reported loss the node cannot reproduce
// is refused. An accepted result is the job's compute receipt: the escrowed fee goes to
// the worker, and the model owner can register a model from it.
import type { ActionDefinition } from '../../protocol/action.ts';
import { ActionRejected, reject } from '../../protocol/errors.ts';
import type { JsonValue } from '../../protocol/state.ts';
import { Book } from '../../money/book.ts';
import { escrowAccount, findJob, jobKeys, type TrainingJobRecord } from '../records.ts';
import { accounts, bookKeys } from '../../money/accounts.ts';

export interface CompleteTrainingJobMessage {
  job: number;
  adapter: string;
  trainerVersion: string;
  evalLoss: string;
}

/** What the node measured: the held-out loss of base + adapter, and of the base alone. */
export interface CompleteTrainingJobAttest {
  evalLoss: number;
  baseEvalLoss: number;
}

/** How far a reported loss may be from the node's own measurement (nats per token). */
export const EVAL_LOSS_TOLERANCE = 0.01;
/** How much an adapter must lower the held-out loss below the base model's to be paid for. */
export const MIN_IMPROVEMENT = 0.001;

export const completeTrainingJob: ActionDefinition<CompleteTrainingJobMessage> = {
  type: 'CompleteTrainingJob',
  signer: 'user',
  description: 'A worker hands in the result of a training job it leased: the adapter and its held-out loss; the escrowed fee is paid to it once the node has checked the result.',
  fields: [
    { name: 'job', type: 'uint64' },
    { name: 'adapter', type: 'bytes32', description: 'SHA-256 of the LoRA adapter GGUF, uploaded first' },
    { name: 'trainerVersion', type: 'string', max: 64 },
    { name: 'evalLoss', type: 'string', max: 32, description: 'Mean held-out loss in nats per token, as a decimal, e.g. "3.4821"' },
  ],
  apply(ctx, m) {
    const job = findJob(ctx.state, m.job);
    if (!job) throw reject.notFound('action.job', `no training job ${m.job}`);
    if (job.status !== 'open') throw reject.conflict('action.job', `job ${m.job} is already done (by ${job.result?.worker})`);
    if (ctx.state.get(jobKeys.worker(ctx.signer)) === undefined) throw reject.forbidden('signer', `${ctx.signer} is not a registered worker`);
    if (!/^\d{1,6}(\.\d{1,12})?$/.test(m.evalLoss)) throw reject.invalid('action.evalLoss', 'must be a decimal number of nats per token, like "3.4821"');
    const reported = Number(m.evalLoss);
    const attest = ctx.attest as Partial<CompleteTrainingJobAttest> | undefined;
    if (!attest || !Number.isFinite(attest.evalLoss) || !Number.isFinite(attest.baseEvalLoss))
      throw reject.invalid('attest.evalLoss', 'the node must attest the held-out loss it measured');
    if (Math.abs(reported - attest.evalLoss!) > EVAL_LOSS_TOLERANCE)
      throw reject.invalid('action.evalLoss', `the worker reports ${m.evalLoss} but the node measured ${attest.evalLoss!.toFixed(6)} on the held-out split`);
    // An adapter that teaches the base nothing (an untrained one is exactly the base) earns nothing.
    if (attest.evalLoss! > attest.baseEvalLoss! - MIN_IMPROVEMENT)
      throw new ActionRejected(422, 'no_improvement', 'action.adapter', `the adapter's held-out loss ${attest.evalLoss!.toFixed(6)} is not below the base model's ${attest.baseEvalLoss!.toFixed(6)} by ${MIN_IMPROVEMENT}: nothing was learned to pay for`);

    const book = new Book(ctx.state);
    const fee = BigInt(job.computeFee);
    book.journal.transfer(escrowAccount(job.id), accounts.earnings(ctx.signer), fee, `compute:job/${job.id}`, ctx.index);
    book.add(bookKeys.accountEarnings(ctx.signer), 'compute', fee);
    const done: TrainingJobRecord = {
      ...job,
      status: 'done',
      result: {
        worker: ctx.signer,
        adapter: m.adapter,
        trainerVersion: m.trainerVersion,
        reportedEvalLoss: reported,
        evalLoss: attest.evalLoss!,
        baseEvalLoss: attest.baseEvalLoss!,
        completedAt: ctx.index,
      },
    };
    return {
      changes: [...book.changes(), { key: jobKeys.job(job.id), value: done as unknown as JsonValue }],
      effects: book.effects(),
      result: { job: job.id, adapter: m.adapter, evalLoss: attest.evalLoss!, baseEvalLoss: attest.baseEvalLoss!, paid: fee.toString() },
    };
  },
};
