// How a worker proves who it is when it leases a job or sends a heartbeat: an EIP-712
// signature, under the node's domain, over { call, job, expiry }. These calls change
// only node-local lease state, never the log, so a signed request with a short expiry
// (at most five minutes) is enough: a replay within that window can only lease or renew
// on behalf of the worker that signed it, which it could have done itself.
import { hashTypedData, type TypedDataField } from '../protocol/eip712.ts';
import { domainFor } from '../protocol/protocol.ts';

export const WORKER_CALL_TYPE = 'WorkerCall';
export const WORKER_CALL_FIELDS: TypedDataField[] = [
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

/** The EIP-712 digest a worker signs for a call, under the node's domain. */
export function workerCallDigest(chainId: number, c: Pick<WorkerCall, 'call' | 'job' | 'expiry'>): Buffer {
  return hashTypedData({
    domain: domainFor(chainId),
    types: { [WORKER_CALL_TYPE]: WORKER_CALL_FIELDS },
    primaryType: WORKER_CALL_TYPE,
    message: { call: c.call, job: c.job, expiry: c.expiry },
  } as Parameters<typeof hashTypedData>[0]);
}
