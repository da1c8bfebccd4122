// SubmitTrainingJob: a model owner asks for a LoRA adapter trained on a registered base
// model and a datanet version, with a trainer config and a compute fee. The fee moves
// from the owner's prepaid balance into the job's escrow at once (402 if it cannot), so
// a worker that does the job is sure to be paid.
import { findContribution, keys as datanetKeys, type SnapshotRecord } from '../../datanets/records.ts';
import type { ActionDefinition } from '../../protocol/action.ts';
import { reject } from '../../protocol/errors.ts';
import type { JsonValue } from '../../protocol/state.ts';
import { Book } from '../../money/book.ts';
import { InsufficientBalance } from '../../money/journal.ts';
import { findBaseModel, escrowAccount, jobKeys, type TrainingJobRecord } from '../records.ts';
import { canonicalConfig, configHash, parseTrainingConfig, TrainingConfigError } from '../trainer/config.ts';
import { accounts } from '../../money/accounts.ts';

export interface SubmitTrainingJobMessage {
  base: string;
  datanet: string;
  snapshot: number;
  config: string;
  computeFee: string;
}

export const submitTrainingJob: ActionDefinition<SubmitTrainingJobMessage> = {
  type: 'SubmitTrainingJob',
  signer: 'user',
  description: 'Ask for a LoRA adapter trained on a base model and a datanet version; the compute fee is escrowed from your prepaid balance.',
  fields: [
    { name: 'base', type: 'bytes32', description: 'SHA-256 of a registered base model' },
    { name: 'datanet', type: 'string', max: 63 },
    { name: 'snapshot', type: 'uint64', description: 'The datanet version to train on' },
    { name: 'config', type: 'string', max: 4096, description: 'Trainer options as JSON (rank, alpha, targets, learningRate, schedule, warmupSteps, batchSize, steps, sequenceLength, evalFraction, seed)' },
    { name: 'computeFee', type: 'uint256', description: 'Base units paid to the worker whose result is accepted' },
  ],
  apply(ctx, m) {
    const base = findBaseModel(ctx.state, m.base);
    if (!base) throw reject.notFound('action.base', `no base model registered with file ${m.base}`);
    // What the built-in trainer can train: refused here, before any money is escrowed.
    if (base.tokenizer.model !== 'gpt2') throw reject.invalid('action.base', `the built-in trainer needs a GPT-2 BPE tokenizer; this base has "${base.tokenizer.model}"`);
    if (base.tensorTypes.length !== 1 || base.tensorTypes[0] !== 'F32') throw reject.invalid('action.base', `the built-in trainer reads F32 weights; this base has ${base.tensorTypes.join(', ')}`);
    const snap = ctx.state.get<SnapshotRecord>(datanetKeys.snapshot(m.datanet, m.snapshot));
    if (!snap) throw reject.notFound('action.snapshot', `datanet ${m.datanet} has no version ${m.snapshot}`);
    const documents = snap.contributions.filter((id) => findContribution(ctx.state, id)?.status !== 'withdrawn');
    if (documents.length < 2) throw reject.invalid('action.snapshot', `${m.datanet} version ${m.snapshot} holds ${documents.length} contributions; training needs at least 2 (one is held out)`);
    let config;
    try {
      config = parseTrainingConfig(m.config);
    } catch (e) {
      if (e instanceof TrainingConfigError) throw reject.invalid(`action.config.${e.field}`, e.message);
      throw e;
    }
    if (config.sequenceLength > base.contextLength)
      throw reject.invalid('action.config.sequenceLength', `${config.sequenceLength} is longer than the base model's context of ${base.contextLength} tokens`);
    const narrowest = Math.min(base.embeddingLength, base.headCountKv * (base.embeddingLength / base.headCount), base.feedForwardLength);
    if (config.rank > narrowest) throw reject.invalid('action.config.rank', `${config.rank} is more than the base model's narrowest adapted width, ${narrowest}`);
    const fee = BigInt(m.computeFee);
    const book = new Book(ctx.state);
    try {
      book.journal.transfer(accounts.prepaid(ctx.signer), escrowAccount(ctx.index), fee, 'escrow', ctx.index);
    } catch (e) {
      if (!(e instanceof InsufficientBalance)) throw e;
      throw reject.paymentRequired('action.computeFee', `${ctx.signer} has ${e.balance} base units prepaid but the job's compute fee is ${fee}: deposit more first`, {
        balance: e.balance.toString(),
        fee: fee.toString(),
      });
    }
    const job: TrainingJobRecord = {
      id: ctx.index,
      owner: ctx.signer,
      base: m.base,
      datanet: m.datanet,
      snapshot: m.snapshot,
      snapshotRoot: snap.root,
      config: canonicalConfig(config),
      configHash: configHash(config),
      computeFee: fee.toString(),
      documents,
      status: 'open',
      submittedAt: ctx.index,
      time: ctx.time,
    };
    return {
      changes: [...book.changes(), { key: jobKeys.job(ctx.index), value: job as unknown as JsonValue }],
      effects: book.effects(),
      result: { job: ctx.index, configHash: job.configHash },
    };
  },
};
