// Training jobs on the node: leases (which registered worker holds which open job, until
// when; kept in a node-local table, renewed by heartbeats, and free again when a worker
// goes quiet), what a worker needs to run a job, and the checks the node makes on a
// result before logging it: the lease, the adapter file against the base, and the
// held-out loss measured again here. Money and job state change only through actions.
import { findContribution, type ContributionRecord } from '../datanets/records.ts';
import { evaluateAdapter } from '../models/trainer/evaluate.ts';
import { type CompleteTrainingJobAttest } from '../models/actions/completeTrainingJob.ts';
import { readGgufFile } from '../models/gguf/reader.ts';
import { validateLlamaModel, validateLoraAdapter } from '../models/gguf/validate.ts';
import { GgufError } from '../models/gguf/errors.ts';
import { findJob, jobKeys, type TrainingJobRecord } from '../models/records.ts';
import { WORKER_CALL_FIELDS, WORKER_CALL_MAX_TTL_S, WORKER_CALL_TYPE, type WorkerCall } from '../models/workerCall.ts';
import { parseTrainingConfig } from '../models/trainer/config.ts';
import type { ActionMessage } from '../protocol/entry.ts';
import { hashTypedData } from '../protocol/eip712.ts';
import { ActionRejected, reject } from '../protocol/errors.ts';
import { domainFor } from '../protocol/protocol.ts';
import { recoverAddress } from '../protocol/secp256k1.ts';
import type { TributaryNode } from './node.ts';

export interface LeasedJob {
  job: TrainingJobRecord;
  /** The training data: the version's contributions that still hold content, in id order. */
  contributions: Array<{ id: number; contentHash: string; size: number }>;
  leaseExpiresAt: number;
}

export class JobService {
  private readonly getLease;
  private readonly putLease;
  private readonly dropLease;

  constructor(private readonly node: TributaryNode) {
    this.getLease = node.db.prepare<[number], { worker: string; expires_at: number }>('SELECT worker, expires_at FROM leases WHERE job = ?');
    this.putLease = node.db.prepare('INSERT OR REPLACE INTO leases (job, worker, expires_at) VALUES (?, ?, ?)');
    this.dropLease = node.db.prepare('DELETE FROM leases WHERE job = ?');
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
    const digest = hashTypedData({
      domain: domainFor(this.node.params.chainId),
      types: { [WORKER_CALL_TYPE]: WORKER_CALL_FIELDS },
      primaryType: WORKER_CALL_TYPE,
      message: { call: c.call, job: c.job, expiry: c.expiry },
    } as Parameters<typeof hashTypedData>[0]);
    let signer: string;
    try {
      signer = recoverAddress(digest, c.signature);
    } catch (e) {
      throw reject.invalid('signature', (e as Error).message);
    }
    if (signer !== c.worker.toLowerCase()) throw reject.unauthorized('signature', `the call is signed by ${signer}, not by ${c.worker.toLowerCase()}`);
    if (this.node.state.get(jobKeys.worker(signer)) === undefined)
      throw reject.forbidden('worker', `${signer} is not a registered worker: sign a RegisterWorker first (tributary worker does it)`);
    return signer;
  }

  /**
   * Leases the oldest open job nobody else holds (or, with `c.job` set, that job only), or
   * returns undefined when there is none.
   */
  lease(c: WorkerCall, now = Date.now()): LeasedJob | undefined {
    const worker = this.authenticate(c, now);
    if (c.job !== 0 && !findJob(this.node.state, c.job)) throw reject.notFound('job', `no training job ${c.job}`);
    for (const [, job] of this.node.state.list<TrainingJobRecord>(jobKeys.jobPrefix)) {
      if (job.status !== 'open' || (c.job !== 0 && job.id !== c.job)) continue;
      const h = this.holder(job.id, now);
      if (h && h.worker !== worker) continue;
      const expiresAt = now + this.node.config.leaseSeconds * 1000;
      this.putLease.run(job.id, worker, expiresAt);
      return { job, contributions: this.trainingData(job), leaseExpiresAt: expiresAt };
    }
    return undefined;
  }

  /** Renews a lease its worker still holds; 409 if it expired and went to another worker, or the job is done. */
  heartbeat(c: WorkerCall, now = Date.now()): { leaseExpiresAt: number } {
    const worker = this.authenticate(c, now);
    const job = findJob(this.node.state, c.job);
    if (!job) throw reject.notFound('job', `no training job ${c.job}`);
    if (job.status !== 'open') throw reject.conflict('job', `job ${c.job} is already done`);
    const h = this.holder(c.job, now);
    if (h && h.worker !== worker) throw reject.conflict('job', `the lease on job ${c.job} expired and is now held by ${h.worker}`);
    if (!h) {
      const l = this.getLease.get(c.job);
      if (!l || l.worker !== worker) throw reject.conflict('job', `${worker} holds no lease on job ${c.job}`);
    }
    const expiresAt = now + this.node.config.leaseSeconds * 1000;
    this.putLease.run(c.job, worker, expiresAt);
    return { leaseExpiresAt: expiresAt };
  }

  /** The contributions of a job's datanet version that still hold content, in id order. */
  trainingData(job: TrainingJobRecord): LeasedJob['contributions'] {
    const snap = this.node.state.get<{ contributions: number[] }>(`dn/${job.datanet}/s/${String(job.snapshot).padStart(12, '0')}`)!;
    return snap.contributions
      .map((id) => findContribution(this.node.state, id))
      .filter((c): c is ContributionRecord => c !== undefined && c.status !== 'withdrawn' && this.node.blobs.get(c.contentHash) !== undefined)
      .map((c) => ({ id: c.id, contentHash: c.contentHash, size: c.size }));
  }

  /**
   * Checks a CompleteTrainingJob before it is sequenced: the signer holds the job's lease,
   * the adapter file is here and fits the base, and the node's own evaluation of it on the
   * held-out split; returns what the node measured, for the entry's attest.
   */
  async attestComplete(action: ActionMessage, signer: string): Promise<CompleteTrainingJobAttest> {
    const job = findJob(this.node.state, action.job as number);
    if (!job) throw reject.notFound('action.job', `no training job ${action.job as number}`);
    if (job.status !== 'open') throw reject.conflict('action.job', `job ${job.id} is already done`);
    const h = this.holder(job.id);
    if (!h || h.worker !== signer) throw reject.conflict('action.job', `${signer} does not hold the lease on job ${job.id}${h ? ` (${h.worker} does)` : ''}: lease it first`);
    const adapter = (action.adapter as string).toLowerCase();
    if (!this.node.models.files.has(adapter)) throw reject.invalid('action.adapter', `this node holds no file ${adapter}: upload it first (PUT /v1/models/files/${adapter})`);
    const basePath = this.node.models.files.path(job.base);
    const adapterPath = this.node.models.files.path(adapter);
    try {
      validateLoraAdapter(readGgufFile(adapterPath), validateLlamaModel(readGgufFile(basePath)));
    } catch (e) {
      if (e instanceof GgufError) throw new ActionRejected(422, 'invalid_gguf', 'action.adapter', `the adapter does not fit base ${job.base}: ${e.message}`);
      throw e;
    }
    const texts = this.trainingData(job).map((c) => this.node.blobs.get(c.contentHash)!.toString('utf8'));
    const ids = this.trainingData(job).map((c) => c.id);
    return evaluateAdapter({ basePath, adapterPath, config: parseTrainingConfig(job.config), documents: ids.map((id, i) => ({ id, text: texts[i] })) });
  }

  /** A completed job needs no lease. */
  release(job: number): void {
    this.dropLease.run(job);
  }
}
