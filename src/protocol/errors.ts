// Errors the protocol raises when an action breaks a rule. They carry the field at
// fault and an HTTP-like status so that the API edge can answer precisely without
// knowing any rule itself. This module must never import anything above protocol/.

/** Why an action was refused. `field` is a dotted path into the submitted envelope. */
export class ActionRejected extends Error {
  override readonly name = 'ActionRejected';
  constructor(
    readonly status: 400 | 401 | 402 | 403 | 404 | 409 | 410 | 413 | 422 | 503,
    readonly code: string,
    readonly field: string | undefined,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const reject = {
  invalid: (field: string, message: string) => new ActionRejected(400, 'invalid_field', field, message),
  unauthorized: (field: string, message: string) => new ActionRejected(401, 'bad_signature', field, message),
  paymentRequired: (field: string, message: string, details?: Record<string, unknown>) =>
    new ActionRejected(402, 'insufficient_balance', field, message, details),
  forbidden: (field: string, message: string) => new ActionRejected(403, 'forbidden', field, message),
  notFound: (field: string, message: string) => new ActionRejected(404, 'not_found', field, message),
  conflict: (field: string, message: string, details?: Record<string, unknown>) =>
    new ActionRejected(409, 'conflict', field, message, details),
  gone: (field: string, message: string) => new ActionRejected(410, 'gone', field, message),
  tooLarge: (field: string, message: string) => new ActionRejected(413, 'too_large', field, message),
  /** Something the answer needs is away for now (a node holding part of an index): the same request may succeed later. */
  unavailable: (message: string, details?: Record<string, unknown>) => new ActionRejected(503, 'unavailable', undefined, message, details),
};
