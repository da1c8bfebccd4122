// Runs inside a worker thread: checks batches of EIP-712 signatures with the same
// Protocol code the node uses, so that signature recovery runs on another core.
// It holds no state but the protocol parameters it was started with.
import { parentPort, workerData } from 'node:worker_threads';
import type { ProtocolParams } from '../protocol/action.ts';
import type { ActionMessage, EntryAuth } from '../protocol/entry.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { createProtocol } from './actions.ts';

export interface AuthRequest {
  action: ActionMessage;
  auth: EntryAuth;
}

export type AuthResult =
  | { ok: true; signer: string }
  | { ok: false; rejected?: { status: ActionRejected['status']; code: string; field?: string; message: string }; error?: string };

const params = workerData as ProtocolParams;
const protocol = createProtocol();

parentPort!.on('message', (msg: { id: number; batch: AuthRequest[] }) => {
  const results: AuthResult[] = msg.batch.map(({ action, auth }) => {
    try {
      return { ok: true, signer: protocol.authenticate(params, action, auth) };
    } catch (e) {
      if (e instanceof ActionRejected) return { ok: false, rejected: { status: e.status, code: e.code, field: e.field, message: e.message } };
      return { ok: false, error: (e as Error).message };
    }
  });
  parentPort!.postMessage({ id: msg.id, results });
});
