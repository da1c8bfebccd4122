// Training jobs on the node: leases (which registered worker holds which open job, until
// when; kept in a node-local table, renewed by heartbeats, and free again when a worker
// goes quiet), what a worker needs to run a job, and the checks the node makes on a
// result before logging it: the lease, the adapter file against the base, and the
// held-out loss measured again here. Money and job state change only through actions.
import { findContribution } from '../datanets/records.ts';
import { type CompleteTrainingJobAttest } from '../models/actions/completeTrainingJob.ts';
import { readGgufFile } from '../gguf/reader.ts';
import { validateLoraAdapter } from '../gguf/validate.ts';
import { GgufError } from '../gguf/errors.ts';
import { baseModelInfo, findBaseModel, findJob, jobKeys, type TrainingJobRecord } from '../models/records.ts';
import { workerCallDigest } from '../models/workerCallDigest.ts';
import { WORKER_CALL_MAX_TTL_S, type WorkerCall } from '../protocol/workerCall.ts';
import { type LoraTargetName, parseTrainingConfig } from '../models/trainer/config.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { recoverAddress } from '../protocol/secp256k1.ts';
import type { StateReader } from '../protocol/state.ts';
import type { BlobStore } from '../store/blobs.ts';
import type { ModelFiles } from '../store/modelFiles.ts';
import type { Db } from '../store/sql.ts';
import type { NodeConfig } from './config.ts';
import type { CpuPool } from './cpuPool.ts';

/** The GGUF projections each trainer target adapts. */
const TARGET_TENSORS: Record<LoraTargetName, string[]> = { q: ['attn_q'], k: ['attn_k'], v: ['attn_v'], o: ['attn_output'], ffn: ['ffn_gate', 'ffn_up', 'ffn_down'] };

export interface LeasedJob {
  job: TrainingJobRecord;
  /** The training data: the version's contributions that still hold content, in id order. */
  contributions: Array<{ id: number; contentHash: string; size: number }>;
  leaseExpiresAt: number;
}

/** What the job service needs of its node: the database (leases), reads, model files, the CPU pool, its limits. */
export interface JobDeps {
  db: Db;
  chainId: number;
  state: StateReader;
  blobs: Pick<BlobStore, 'get'>;
  files: ModelFiles;
  cpu: CpuPool;
  config: Pick<NodeConfig, 'maxJobSeconds' | 'leaseSeconds' | 'evalBudgetMs'>;
}

export class JobService {
  private readonly getLease;
  private readonly putLease;
  private readonly dropLease;

  constructor(private readonly d: JobDeps) {
    this.getLease = d.db.prepare<[number], { worker: string; expires_at: number; started_at: number }>('SELECT worker, expires_at, started_at FROM leases WHERE job = ?');
    this.putLease = d.db.prepare('INSERT INTO leases (job, worker, expires_at, started_at) VALUES (?, ?, ?, ?) ON CONFLICT (job) DO UPDATE SET worker = excluded.worker, expires_at = excluded.expires_at, started_at = excluded.started_at');
    this.dropLease = d.db.prepare('DELETE FROM leases WHERE job = ?');
  }

  /** The worker holding an unexpired lease on `job`, if any. */
  holder(job: number, now = Date.now()): { worker: string; expiresAt: number } | undefined {
    const l = this.getLease.get(job);
    return l && l.expires_at > now ? { worker: l.worker, expiresAt: l.expires_at } : undefined;
  }

  /** Checks a worker call's signature, expiry and registration; returns the worker. */
  authenticate(c: WorkerCall, now = Date.now()): string {
    if (c.expiry * 1000 <= now) throw reject.invalid('expiry', `the call expired at ${c.expiry} (unix s)`);
    if (c.expiry * 1000 > now + WORKER_CALL_MAX_TTL_S * 1000) throw reject.invalid('expiry', `must be at most ${WORKER_CALL_MAX_TTL_S} s ahead`);
    const digest = workerCallDigest(this.d.chainId, c);
    let signer: string;
    try {
      signer = recoverAddress(digest, c.signature);
    } catch (e) {
      throw reject.invalid('signature', (e as Error).message);
    }
    if (signer !== c.worker.toLowerCase()) throw reject.unauthorized('signature', `the call is signed by ${signer}, not by ${c.worker.toLowerCase()}`);
    if (this.d.state.get(jobKeys.worker(signer)) === undefined)
      throw reject.forbidden('worker', `${signer} is not a registered worker: sign a RegisterWorker first (tributary worker does it)`);
    return signer;
  }

  /**
   * Leases the oldest open job nobody else holds (or, with `c.job` set, that job only), or
   * returns undefined when there is none.
   */
  lease(c: WorkerCall, now = Date.now()): LeasedJob | undefined {
    const worker = this.authenticate(c, now);
    if (c.job !== 0 && !findJob(this.d.state, c.job)) throw reject.notFound('job', `no training job ${c.job}`);
    for (const [, job] of this.d.state.list<TrainingJobRecord>(jobKeys.jobPrefix)) {
      if (job.status !== 'open' || (c.job !== 0 && job.id !== c.job)) continue;
      const h = this.holder(job.id, now);
      if (h && h.worker !== worker) continue;
      const prior = this.getLease.get(job.id);
      // A worker that leases its own job again keeps its start: the hold limit still counts.
      const started = h && prior ? prior.started_at : now;
      if (now - started > this.d.config.maxJobSeconds * 1000) continue;
      const expiresAt = now + this.d.config.leaseSeconds * 1000;
      this.putLease.run(job.id, worker, expiresAt, started);
      return { job, contributions: this.trainingData(job), leaseExpiresAt: expiresAt };
    }
    return undefined;
  }

  /** Renews a lease its worker still holds; 409 if it expired and went to another worker, or the job is done. */
  heartbeat(c: WorkerCall, now = Date.now()): { leaseExpiresAt: number } {
    const worker = this.authenticate(c, now);
    const job = findJob(this.d.state, c.job);
    if (!job) throw reject.notFound('job', `no training job ${c.job}`);
    if (job.status !== 'open') throw reject.conflict('job', `job ${c.job} is already ${job.status}`);
    const h = this.holder(c.job, now);
    if (h && h.worker !== worker) throw reject.conflict('job', `the lease on job ${c.job} expired and is now held by ${h.worker}`);
    if (!h) {
      const l = this.getLease.get(c.job);
      if (!l || l.worker !== worker) throw reject.conflict('job', `${worker} holds no lease on job ${c.job}`);
    }
    const started = this.getLease.get(c.job)!.started_at;
    if (now - started > this.d.config.maxJobSeconds * 1000) {
      this.dropLease.run(c.job);
      throw reject.conflict('job', `${worker} has held job ${c.job} for longer than ${this.d.config.maxJobSeconds} s; the job is free for other workers`);
    }
    const expiresAt = now + this.d.config.leaseSeconds * 1000;
    this.putLease.run(c.job, worker, expiresAt, started);
    return { leaseExpiresAt: expiresAt };
  }

  /** The job's documents (fixed at submission), in id order; a worker fetches each one's content (410 once withdrawn: train on ""). */
  trainingData(job: TrainingJobRecord): LeasedJob['contributions'] {
    return job.documents.map((id) => {
      const c = findContribution(this.d.state, id)!;
      return { id: c.id, contentHash: c.contentHash, size: c.size };
    });
  }

  /**
   * Checks a CompleteTrainingJob before it is sequenced: the signer holds the job's lease,
   * the adapter file is here and fits the base, and the node's own evaluation of it on the
   * held-out split; returns what the node measured, for the entry's attest.
   */
  async attestComplete(action: ActionMessage, signer: string): Promise<CompleteTrainingJobAttest> {
    const job = findJob(this.d.state, action.job as number);
    if (!job) throw reject.notFound('action.job', `no training job ${action.job as number}`);
    if (job.status !== 'open') throw reject.conflict('action.job', `job ${job.id} is already ${job.status}`);
    const h = this.holder(job.id);
    if (!h || h.worker !== signer) throw reject.conflict('action.job', `${signer} does not hold the lease on job ${job.id}${h ? ` (${h.worker} does)` : ''}: lease it first`);
    const adapter = (action.adapter as string).toLowerCase();
    if (!this.d.files.claim(adapter)) throw reject.invalid('action.adapter', `this node holds no file ${adapter}: upload it first (PUT /v1/models/files/${adapter})`);
    const basePath = this.d.files.path(job.base);
    const adapterPath = this.d.files.path(adapter);
    const config = parseTrainingConfig(job.config);
    const misfit = (message: string) => new ActionRejected(422, 'invalid_result', 'action.adapter', message);
    try {
      const base = baseModelInfo(findBaseModel(this.d.state, job.base)!);
      const file = readGgufFile(adapterPath);
      const info = validateLoraAdapter(file, base);
      // The result must be what the job asked for, not just any adapter that fits the base.
      if (info.ranks.length !== 1 || info.ranks[0] !== config.rank) throw misfit(`the job asks for rank ${config.rank}, the adapter has rank ${info.ranks.join(', ')}`);
      if (info.alpha !== Math.fround(config.alpha)) throw misfit(`the job asks for alpha ${config.alpha}, the adapter has ${info.alpha}`);
      const want = config.targets.flatMap((t) => TARGET_TENSORS[t]);
      if (info.targets.length !== want.length || info.targets.some((t) => !want.includes(t)))
        throw misfit(`the job asks for ${want.join(', ')}, the adapter adapts ${info.targets.join(', ')}`);
      if (info.blocks.length !== base.blockCount) throw misfit(`the adapter covers ${info.blocks.length} of the base's ${base.blockCount} blocks`);
      if (file.tensors.some((t) => t.type.name !== 'F32')) throw misfit('the node evaluates F32 adapters only, as the built-in trainer writes them');
    } catch (e) {
      if (e instanceof GgufError) throw new ActionRejected(422, 'invalid_gguf', 'action.adapter', `the adapter does not fit base ${job.base}: ${e.message}`);
      throw e;
    }
    // Re-measuring runs a forward pass over up to MAX_EVAL_WINDOWS windows, twice: seconds of
    // CPU that must not stall the node, so it runs on a CPU worker (in-line only without any).
    try {
      return await this.d.cpu.run('evaluateAdapter', { basePath, adapterPath, config, documents: this.documents(job) }, `evaluating job ${job.id}'s adapter`, this.d.config.evalBudgetMs);
    } catch (e) {
      if (e instanceof ActionRejected && e.status === 503) throw e;
      throw new ActionRejected(422, 'invalid_result', 'action.adapter', `the node could not evaluate the adapter: ${(e as Error).message.replace(/^CPU worker, [^:]*: /, '')}`);
    }
  }

  /**
   * The job's documents as the split sees them: every contribution fixed at submission, in
   * id order, with the text the node still holds ("" once its author opted out), so that an
   * opt-out during training cannot change which documents are held out.
   */
  documents(job: TrainingJobRecord): Array<{ id: number; text: string }> {
    return job.documents.map((id) => {
      const c = findContribution(this.d.state, id);
      const bytes = c && c.status !== 'withdrawn' ? this.d.blobs.get(c.contentHash) : undefined;
      return { id, text: bytes ? bytes.toString('utf8') : '' };
    });
  }

  /** A job may be cancelled only while no worker holds its lease (it may be training). */
  checkCancel(job: number): void {
    const h = this.holder(job);
    if (h) throw reject.conflict('action.job', `${h.worker} holds the lease on job ${job} until ${new Date(h.expiresAt).toISOString()}: cancel after it expires`);
  }

  /** A completed job needs no lease. */
  release(job: number): void {
    this.dropLease.run(job);
  }
}
