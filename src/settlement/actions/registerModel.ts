// RegisterModel: an account registers a model version with its fee policy, fixed for
// good, and the datanet snapshot it was trained on. The node attests, in the entry, the
// token count of each contribution in that snapshot (measured from the bytes with the
// node's tokenizer), so that the baseline share can be paid pro rata to the tokens every
// time the model is used. The first to register a name owns it; only they add versions.
import { DATANET_NAME } from '../../datanets/actions/createDatanet.ts';
import { findContribution, keys as datanetKeys, type SnapshotRecord } from '../../datanets/records.ts';
import type { ActionDefinition } from '../../protocol/action.ts';
import type { JsonValue, StateChange } from '../../protocol/state.ts';
import { findBaseModel, findJob } from '../../models/records.ts';
import { reject } from '../../protocol/errors.ts';
import { checkFeePolicy, type FeePolicy, FeePolicyError } from '../feePolicy.ts';
import { type ModelNameRecord, type ModelRecord, moneyKeys, NO_ADAPTER, type TrainingRow } from '../records.ts';

export interface RegisterModelMessage {
  name: string;
  datanet: string;
  snapshot: number;
  base: string;
  adapter: string;
  pricePer1kInput: string;
  pricePer1kOutput: string;
  dataBps: number;
  ownerBps: number;
  computeBps: number;
  treasuryBps: number;
  baselineBps: number;
  job: number;
}

/**
 * What the node attests about a RegisterModel: tokens of each snapshot contribution, in
 * snapshot order; and, for an adapter not made by a job here, that it holds the adapter
 * file and it fits the base (so serving never hands llama.cpp an unchecked pair).
 */
export interface RegisterModelAttest {
  trainingTokens?: number[];
  adapterChecked?: boolean;
}


export const registerModel: ActionDefinition<RegisterModelMessage> = {
  type: 'RegisterModel',
  signer: 'user',
  description:
    'Register a model version: what it was trained on and its fee policy, which never changes. The first account to use a name owns it; ' +
    'only the owner registers later versions.',
  fields: [
    { name: 'name', type: 'string', max: 63, description: 'Model name: lowercase letters, digits and -, at most 63' },
    { name: 'datanet', type: 'string', max: 63, description: 'The datanet it was trained on; "" for none' },
    { name: 'snapshot', type: 'uint64', description: 'The version of that datanet it was trained on; 0 with no datanet' },
    { name: 'base', type: 'bytes32', description: 'SHA-256 of a registered base model' },
    { name: 'adapter', type: 'bytes32', description: 'SHA-256 of the adapter file (uploaded first); zero for a model without one' },
    { name: 'pricePer1kInput', type: 'uint256', description: 'Base units (18 decimals) per 1,000 input tokens' },
    { name: 'pricePer1kOutput', type: 'uint256', description: 'Base units per 1,000 output tokens' },
    { name: 'dataBps', type: 'uint64', description: 'Share of each fee for data contributors, basis points' },
    { name: 'ownerBps', type: 'uint64', description: 'Share for the model owner' },
    { name: 'computeBps', type: 'uint64', description: 'Share for the compute provider that served the call' },
    { name: 'treasuryBps', type: 'uint64', description: 'Share for the protocol treasury; the four shares sum to 10,000' },
    { name: 'baselineBps', type: 'uint64', description: 'Part of the data share paid to every training contribution by tokens; the rest follows attribution' },
    { name: 'job', type: 'uint64', description: 'The completed training job that made the adapter (its base, datanet version and adapter must match); 0 for none' },
  ],
  apply(ctx, m) {
    if (!DATANET_NAME.test(m.name))
      throw reject.invalid('action.name', 'must be 1-63 lowercase letters, digits or -, starting with a letter or digit');
    let policy: FeePolicy;
    try {
      policy = checkFeePolicy({
        pricePer1kInput: BigInt(m.pricePer1kInput),
        pricePer1kOutput: BigInt(m.pricePer1kOutput),
        shares: { data: m.dataBps, owner: m.ownerBps, compute: m.computeBps, treasury: m.treasuryBps },
        baselineBps: m.baselineBps,
      });
    } catch (e) {
      if (!(e instanceof FeePolicyError)) throw e;
      const field = e.field.startsWith('shares.') ? `${e.field.slice(7)}Bps` : e.field === 'shares' ? 'dataBps' : e.field;
      throw reject.invalid(`action.${field}`, e.message);
    }
    const named = ctx.state.get<ModelNameRecord>(moneyKeys.modelName(m.name));
    if (named && named.owner !== ctx.signer)
      throw reject.forbidden('signer', `model ${m.name} belongs to ${named.owner}; only its owner registers new versions`);

    if (!findBaseModel(ctx.state, m.base))
      throw reject.notFound('action.base', `no base model registered with file ${m.base}: register it first (tributary models add-base FILE.gguf)`);
    const attest = ctx.attest as RegisterModelAttest | undefined;
    if (m.job === 0 && m.adapter !== NO_ADAPTER && attest?.adapterChecked !== true)
      throw reject.invalid('action.adapter', `the node must hold adapter ${m.adapter} and find that it fits the base: upload it first (PUT /v1/models/files/${m.adapter})`);

    let provenance: ModelRecord['training'];
    if (m.job !== 0) {
      const job = findJob(ctx.state, m.job);
      if (!job) throw reject.notFound('action.job', `no training job ${m.job}`);
      if (job.owner !== ctx.signer) throw reject.forbidden('action.job', `job ${m.job} was submitted by ${job.owner}; only they register its model`);
      if (job.status !== 'done' || !job.result) throw reject.conflict('action.job', `job ${m.job} has no accepted result yet`);
      for (const [field, want, got] of [
        ['base', job.base, m.base],
        ['adapter', job.result.adapter, m.adapter],
        ['datanet', job.datanet, m.datanet],
        ['snapshot', job.snapshot, m.snapshot],
      ] as const)
        if (want !== got) throw reject.invalid(`action.${field}`, `job ${m.job} has ${field} ${String(want)}, not ${String(got)}`);
      provenance = {
        job: job.id,
        configHash: job.configHash,
        trainerVersion: job.result.trainerVersion,
        evalLoss: job.result.evalLoss,
        baseEvalLoss: job.result.baseEvalLoss,
        worker: job.result.worker,
      };
    }

    let training: TrainingRow[] = [];
    let snapshotRoot = '';
    if (m.datanet === '') {
      if (m.snapshot !== 0) throw reject.invalid('action.snapshot', 'must be 0 for a model without a datanet');
    } else {
      if (ctx.state.get(datanetKeys.datanet(m.datanet)) === undefined) throw reject.notFound('action.datanet', `no datanet named ${m.datanet}`);
      const snap = ctx.state.get<SnapshotRecord>(datanetKeys.snapshot(m.datanet, m.snapshot));
      if (!snap) throw reject.notFound('action.snapshot', `datanet ${m.datanet} has no version ${m.snapshot}; take one with a Snapshot first`);
      const tokens = attest?.trainingTokens;
      if (!Array.isArray(tokens) || tokens.length !== snap.contributions.length || !tokens.every((t) => Number.isSafeInteger(t) && t >= 0))
        throw reject.invalid('attest.trainingTokens', `the node must attest the token count of each of the ${snap.contributions.length} contributions in ${m.datanet}@${m.snapshot}`);
      snapshotRoot = snap.root;
      training = snap.contributions.map((id, i): TrainingRow => [id, findContribution(ctx.state, id)!.author, tokens[i]]).filter((r) => r[2] > 0);
    }

    const version = (named?.versions ?? 0) + 1;
    const id = `${m.name}@${version}`;
    const record: ModelRecord = {
      id,
      name: m.name,
      version,
      owner: ctx.signer,
      datanet: m.datanet,
      snapshot: m.snapshot,
      snapshotRoot,
      base: m.base,
      adapter: m.adapter,
      policy: {
        pricePer1kInput: policy.pricePer1kInput.toString(),
        pricePer1kOutput: policy.pricePer1kOutput.toString(),
        shares: { ...policy.shares },
        baselineBps: policy.baselineBps,
      },
      trainingContributions: training.length,
      trainingTokens: training.reduce((s, r) => s + r[2], 0),
      ...(provenance ? { training: provenance } : {}),
      registeredAt: ctx.index,
      time: ctx.time,
    };
    const changes: StateChange[] = [
      { key: moneyKeys.modelName(m.name), value: { name: m.name, owner: ctx.signer, versions: version } },
      { key: moneyKeys.model(m.name, version), value: record as unknown as JsonValue },
    ];
    if (training.length > 0) changes.push({ key: moneyKeys.training(id), value: training.map((r) => [...r]) });
    return {
      changes,
      result: { model: id, version, trainingContributions: training.length, trainingTokens: record.trainingTokens },
    };
  },
};
