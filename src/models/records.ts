// The model-factory records kept in protocol state and their keys: registered base
// models, by the SHA-256 of their file. One place defines the layout so that actions,
// routes and tests agree on it.
import { pad, type StateReader } from '../protocol/state.ts';
import type { LlamaModelInfo } from '../gguf/validate.ts';

export interface BaseModelRecord extends Omit<LlamaModelInfo, 'name'> {
  /** SHA-256 of the GGUF file, 0x hex: the model's identity. */
  hash: string;
  /** The name the registrant gave it. */
  name: string;
  /** `general.name` inside the file. */
  fileModelName: string;
  fileSize: number;
  owner: string;
  registeredAt: number;
  time: number;
}

export const modelKeys = {
  base: (hash: string) => `base/${hash}`,
  basePrefix: 'base/',
};

export function findBaseModel(state: StateReader, hash: string): BaseModelRecord | undefined {
  return state.get<BaseModelRecord>(modelKeys.base(hash.toLowerCase()));
}

/** What the validator measured in a registered base model's file, as the record keeps it (no need to read the file again). */
export function baseModelInfo(r: BaseModelRecord): LlamaModelInfo {
  const { hash: _h, name: _n, fileModelName, fileSize: _s, owner: _o, registeredAt: _r, time: _t, ...info } = r;
  return { ...info, name: fileModelName };
}

export interface WorkerRecord {
  address: string;
  name: string;
  registeredAt: number;
  time: number;
}

export type JobStatus = 'open' | 'done' | 'cancelled';

export interface TrainingJobRecord {
  /** The log index of the SubmitTrainingJob entry. */
  id: number;
  owner: string;
  base: string;
  datanet: string;
  snapshot: number;
  snapshotRoot: string;
  /** Canonical JSON of the trainer config, and its SHA-256. */
  config: string;
  configHash: string;
  /** Escrowed from the owner's prepaid balance; paid to the worker whose result is accepted. */
  computeFee: string;
  /** The contributions trained on, fixed at submission: the version's contributions not withdrawn then, in id order. */
  documents: number[];
  status: JobStatus;
  submittedAt: number;
  time: number;
  result?: TrainingResult;
}

export interface TrainingResult {
  worker: string;
  /** SHA-256 of the LoRA adapter GGUF. */
  adapter: string;
  trainerVersion: string;
  /** Mean held-out loss (nats per token) the worker reported, and the one the node measured. */
  reportedEvalLoss: number;
  evalLoss: number;
  baseEvalLoss: number;
  completedAt: number;
}

export const jobKeys = {
  worker: (address: string) => `worker/${address}`,
  workerPrefix: 'worker/',
  job: (id: number) => `job/${pad(id)}`,
  jobPrefix: 'job/',
};

export function findJob(state: StateReader, id: number): TrainingJobRecord | undefined {
  return state.get<TrainingJobRecord>(jobKeys.job(id));
}

/** The journal account that holds a job's compute fee until its result is accepted. */
export const escrowAccount = (jobId: number) => `escrow:job/${jobId}`;
