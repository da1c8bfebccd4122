// The EIP-712 digest of a worker's lease or heartbeat call (protocol/workerCall.ts), under
// the node's domain: what the node checks a worker's signature against. Node-only (it
// hashes with the native keccak); it must never hold anything but the digest.
import { hashTypedData } from '../protocol/eip712.ts';
import { domainFor } from '../protocol/protocol.ts';
import { WORKER_CALL_FIELDS, WORKER_CALL_TYPE, type WorkerCall } from '../protocol/workerCall.ts';

/** The EIP-712 digest a worker signs for a call, under the node's domain. */
export function workerCallDigest(chainId: number, c: Pick<WorkerCall, 'call' | 'job' | 'expiry'>): Buffer {
  return hashTypedData({
    domain: domainFor(chainId),
    types: { [WORKER_CALL_TYPE]: WORKER_CALL_FIELDS },
    primaryType: WORKER_CALL_TYPE,
    message: { call: c.call, job: c.job, expiry: c.expiry },
  } as Parameters<typeof hashTypedData>[0]);
}
