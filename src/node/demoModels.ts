// The model-factory part of the demo data: the demo base model (models/demo-base.gguf,
// made from the project's own recipe if it is missing) registered by demo account 2, a
// training job on demo-river-notes@1 run in this process by demo account 1 as the worker,
// exactly as a remote worker would run it (lease, train, hand in, be re-measured and paid),
// so that the demo model has a real provenance chain: base → datanet version → adapter.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_BASE, demoBasePath, makeDemoBase } from '../models/demoBase.ts';
import { parseTrainingConfig } from '../models/trainer/config.ts';
import { trainLora } from '../models/trainer/train.ts';
import { workerCallDigest } from '../models/workerCallDigest.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { privateKeyToAddress, signDigest } from '../protocol/secp256k1.ts';
import type { TributaryNode } from './node.ts';
import type { Receipt } from './receipt.ts';

export type DemoProgress = (label: string, done: number, total: number) => void;
type Act = (who: number, action: ActionMessage) => Promise<Receipt>;

/** The LoRA the demo trains: small, so that a first start stays quick. */
export const DEMO_JOB_CONFIG = { steps: 30, batchSize: 2, rank: 4, alpha: 8, targets: ['q', 'v', 'ffn'], learningRate: 0.01, sequenceLength: 48, seed: 1 };

async function store(node: TributaryNode, path: string): Promise<string> {
  const hash = '0x' + createHash('sha256').update(readFileSync(path)).digest('hex');
  node.models.files.keep(await node.models.files.receive(createReadStream(path), hash, node.config.maxModelBytes));
  return hash;
}

/** Registers the demo base model and trains the demo adapter; returns what RegisterModel needs. */
export async function seedDemoModels(node: TributaryNode, act: Act, keys: Buffer[], datanet: string, progress?: DemoProgress): Promise<{ base: string; adapter: string; job: number }> {
  const path = demoBasePath();
  if (!existsSync(path)) await makeDemoBase(path, (step, steps) => progress?.('pretraining the demo base model', step, steps));
  const base = await store(node, path);
  await act(1, { type: 'RegisterBaseModel', name: DEMO_BASE.name, file: base });

  await act(0, { type: 'RegisterWorker', name: 'demo worker' });
  await node.settlement.faucet(privateKeyToAddress(keys[1]), 10n ** 19n);
  const submitted = await act(1, { type: 'SubmitTrainingJob', base, datanet, snapshot: 1, config: JSON.stringify(DEMO_JOB_CONFIG), computeFee: (10n ** 18n).toString() });
  const job = submitted.result.job as number;

  const expiry = Math.floor(Date.now() / 1000) + 120;
  const digest = workerCallDigest(node.params.chainId, { call: 'lease', job, expiry });
  const leased = node.jobs.lease({ worker: privateKeyToAddress(keys[0]), call: 'lease', job, expiry, signature: signDigest(keys[0], digest) });
  if (!leased) throw new Error(`the demo could not lease its own training job ${job}`);
  const documents = leased.contributions.map((c) => ({ id: c.id, text: node.blobs.get(c.contentHash)!.toString('utf8') }));
  const result = await trainLora({
    basePath: node.models.files.path(base),
    documents,
    config: parseTrainingConfig(leased.job.config),
    outDir: join(node.config.dataDir, 'demo-job'),
    onStep: (step, steps) => progress?.('training the demo adapter', step, steps),
  });
  const adapter = await store(node, result.adapterPath);
  await act(0, { type: 'CompleteTrainingJob', job, adapter, trainerVersion: result.trainerVersion, evalLoss: result.evalLoss.toFixed(6) });
  return { base, adapter, job };
}
