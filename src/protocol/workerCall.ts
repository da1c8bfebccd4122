// How a worker proves who it is when it leases a job or sends a heartbeat: an EIP-712
// signature, under the node's domain, over { call, job, expiry }. These calls change
// only node-local lease state, never the log, so a signed request with a short expiry
// (at most five minutes) is enough: a replay within that window can only lease or renew
// on behalf of the worker that signed it, which it could have done itself.
// This module imports nothing, so the SDK signs worker calls from the same definition in
// the browser; the digest the node checks is models/workerCallDigest.ts.

export const WORKER_CALL_TYPE = 'WorkerCall';
export const WORKER_CALL_FIELDS: ReadonlyArray<{ readonly name: string; readonly type: string }> = [
  { name: 'call', type: 'string' },
  { name: 'job', type: 'uint64' },
  { name: 'expiry', type: 'uint64' },
];
/** The longest a signed worker call may stay valid. */
export const WORKER_CALL_MAX_TTL_S = 300;

export interface WorkerCall {
  worker: string;
  call: 'lease' | 'heartbeat';
  /** The job a heartbeat is for; 0 for a lease. */
  job: number;
  /** Unix seconds. */
  expiry: number;
  signature: string;
}
