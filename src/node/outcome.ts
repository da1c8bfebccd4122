// What happened to a queued submission, as the sequencing node records it and the node
// that queued it reads it back: the entry's index and batch checkpoint, or the refusal
// with its status, code, field and message, so that the client gets the same answer
// from any node.
import { ActionRejected } from '../protocol/errors.ts';
import type { JsonValue } from '../protocol/state.ts';
import { isStorageFull } from '../store/sql.ts';

export type Outcome =
  | { ok: true; index: number; size: number; result: { [k: string]: JsonValue } }
  | { ok: false; status: number; code: string; field?: string; message: string; details?: Record<string, unknown> };

export function refusalOutcome(e: unknown): Outcome {
  if (e instanceof ActionRejected)
    return { ok: false, status: e.status, code: e.code, ...(e.field ? { field: e.field } : {}), message: e.message, ...(e.details ? { details: e.details } : {}) };
  if (isStorageFull(e)) return { ok: false, status: 507, code: 'insufficient_storage', message: 'the database disk is full' };
  return { ok: false, status: 500, code: 'internal', message: e instanceof Error ? e.message : String(e) };
}

/** The refusal as the error the sequencing node threw; a 500 comes back as a plain Error. */
export function refusalError(o: Extract<Outcome, { ok: false }>): Error {
  // A 503 refusal (an attribution part unreachable) is the sequencing node's answer too.
  if ((o.status >= 400 && o.status < 500) || o.status === 503) return new ActionRejected(o.status as ActionRejected['status'], o.code, o.field, o.message, o.details);
  // Answered as the sequencing node's own failure would be (507 for a full disk).
  if (o.status === 507) return Object.assign(new Error(`the sequencing node could not write: ${o.message}`), { code: 'ENOSPC' });
  return new Error(`the sequencing node failed: ${o.message}`);
}
