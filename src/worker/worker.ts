// A compute worker: registers its account, leases training jobs from a node over HTTP,
// keeps the lease alive with heartbeats while it trains (the built-in LoRA trainer),
// uploads the adapter and hands in the result as a signed CompleteTrainingJob, which is
// its compute receipt and gets it paid. If it dies, its lease expires and the job goes
// to another worker. It trusts nothing it downloads: files are checked by hash.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Receipt, TrainingJob, TributaryClient, UploadAuth } from '../client/client.ts';
import { ApiError } from '../client/errors.ts';
import type { LocalSigner } from '../client/signer.ts';
import { parseTrainingConfig } from '../models/trainer/config.ts';
import { type TrainResult, trainLora } from '../models/trainer/train.ts';

/**
 * The SDK with the file access a worker needs: the CLI's TributaryFileClient
 * (cli/fileClient.ts) is one. Named here by shape, since the worker sits below the CLI.
 */
export type WorkerClient = Omit<TributaryClient, 'content'> & {
  content(id: number): Promise<Buffer>;
  uploadModelFile(hash: string, path: string, by: UploadAuth): Promise<unknown>;
  downloadModelFile(hash: string, path: string): Promise<void>;
};

export interface WorkerOptions {
  client: WorkerClient;
  signer: LocalSigner;
  /** Where base models are cached and each job's output is written. */
  workDir: string;
  log?(line: string): void;
  onStep?(job: number, step: number, steps: number, loss: number): void;
}

export interface JobDone {
  job: TrainingJob;
  result: TrainResult;
  receipt: Receipt;
}

/** Registers the signer as a worker unless it already is. */
export async function ensureRegistered(o: WorkerOptions, name: string): Promise<void> {
  try {
    await o.client.act(o.signer, { type: 'RegisterWorker', name });
    o.log?.(`registered ${o.signer.address} as worker ${name}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 409 && e.field === 'signer')) throw e;
  }
}

/** Leases and runs one job (the oldest open one, or `jobId`). Returns undefined when none is open. */
export async function runOneJob(o: WorkerOptions, jobId = 0): Promise<JobDone | undefined> {
  const leased = await o.client.leaseJob(o.signer, jobId);
  if (!leased.job) return undefined;
  const job = leased.job;
  const config = parseTrainingConfig(job.config);
  o.log?.(`leased job ${job.id}: ${job.datanet}@${job.snapshot} on base ${job.base.slice(0, 12)}…, ${config.steps} steps`);

  // Renew at a third of the remaining lease, so that two missed beats still leave it held.
  const period = Math.max(250, ((leased.leaseExpiresAt ?? Date.now() + 30_000) - Date.now()) / 3);
  let lost: unknown;
  const beat = setInterval(() => {
    o.client.heartbeat(o.signer, job.id).catch((e: unknown) => (lost ??= e));
  }, period);
  try {
    mkdirSync(join(o.workDir, 'models'), { recursive: true });
    const basePath = join(o.workDir, 'models', `${job.base.slice(2)}.gguf`);
    if (!existsSync(basePath)) await o.client.downloadModelFile(job.base, basePath);
    const documents = [];
    for (const c of leased.contributions) {
      // Withdrawn since the job was submitted (410): it stays in the split, with no text, as on the node.
      const text = await o.client.content(c.id).then(
        (b) => b.toString('utf8'),
        (e: unknown) => {
          if (e instanceof ApiError && e.status === 410) return '';
          throw e;
        },
      );
      documents.push({ id: c.id, text });
    }
    const result = await trainLora({
      basePath,
      documents,
      config,
      outDir: join(o.workDir, `job-${job.id}`),
      onStep: (step, steps, loss) => {
        if (lost) throw new Error(`lost the lease on job ${job.id}: ${(lost as Error).message}`);
        o.onStep?.(job.id, step, steps, loss);
      },
    });
    // Signed by the worker's own account: the adapter is its upload, charged to its quota.
    await o.client.uploadModelFile(result.adapterHash, result.adapterPath, o.signer);
    const receipt = await o.client.act(o.signer, {
      type: 'CompleteTrainingJob',
      job: job.id,
      adapter: result.adapterHash,
      trainerVersion: result.trainerVersion,
      evalLoss: result.evalLoss.toFixed(6),
    });
    o.log?.(`job ${job.id} done: held-out loss ${result.baseEvalLoss.toFixed(4)} → ${result.evalLoss.toFixed(4)}, adapter ${result.adapterHash}`);
    return { job, result, receipt };
  } finally {
    clearInterval(beat);
  }
}

/** Runs jobs until `signal` aborts, polling every `pollMs` when none is open. */
export async function runWorker(o: WorkerOptions & { pollMs?: number; signal?: AbortSignal }): Promise<void> {
  while (!o.signal?.aborted) {
    const done = await runOneJob(o).catch((e: unknown) => {
      o.log?.(`job failed: ${(e as Error).message}`);
      return null;
    });
    if (done === undefined || done === null)
      await new Promise<void>((wake) => {
        const t = setTimeout(wake, o.pollMs ?? 2000);
        o.signal?.addEventListener('abort', () => (clearTimeout(t), wake()), { once: true });
      });
  }
}
