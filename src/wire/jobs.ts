// Training jobs on the wire: a job with its lease, what a worker gets when it leases one,
// and the body of a worker's signed lease or heartbeat call (its typed data is
// protocol/workerCall.ts). Shapes only, for Node and the browser.
import { z } from 'zod';
import { Address, Signature } from './common.ts';

export const TrainingJob = z.object({
  id: z.number().int(),
  owner: z.string(),
  base: z.string(),
  datanet: z.string(),
  snapshot: z.number().int(),
  snapshotRoot: z.string(),
  config: z.string().describe('Canonical JSON of the trainer options'),
  configHash: z.string(),
  computeFee: z.string(),
  documents: z.array(z.number().int()).describe('The contributions trained on, fixed at submission'),
  status: z.enum(['open', 'done', 'cancelled']),
  submittedAt: z.number().int(),
  time: z.number().int(),
  result: z
    .object({
      worker: z.string(),
      adapter: z.string(),
      trainerVersion: z.string(),
      reportedEvalLoss: z.number(),
      evalLoss: z.number(),
      baseEvalLoss: z.number(),
      completedAt: z.number().int(),
    })
    .optional(),
  lease: z.object({ worker: z.string(), expiresAt: z.number().int() }).nullable(),
});
export type TrainingJob = z.infer<typeof TrainingJob>;
export const TrainingJobList = z.object({ jobs: z.array(TrainingJob) });

export const LeasedJob = z.object({
  job: TrainingJob.nullable(),
  contributions: z.array(z.object({ id: z.number().int(), contentHash: z.string(), size: z.number().int() })),
  leaseExpiresAt: z.number().int().nullable(),
});
export type LeasedJob = z.infer<typeof LeasedJob>;

export const Heartbeat = z.object({ leaseExpiresAt: z.number().int() });
export type Heartbeat = z.infer<typeof Heartbeat>;

/** The body of POST /v1/jobs/lease and /v1/jobs/:id/heartbeat. */
export const WorkerCallBody = z.strictObject({
  worker: Address,
  job: z.number().int().nonnegative().optional().describe('Lease: only this job (default: the oldest open one). Part of what is signed.'),
  expiry: z.number().int().nonnegative().describe('Unix seconds, at most 5 minutes ahead'),
  signature: Signature.describe('EIP-712 signature of WorkerCall { call, job, expiry } under the node domain'),
});
export type WorkerCallBody = z.infer<typeof WorkerCallBody>;
