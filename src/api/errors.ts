// Turns every failure into the one JSON error shape, with the field at fault. A client
// mistake is always a 4xx that says what to fix; a full disk is a 507 (nothing was
// written; the same request succeeds once there is room); only our own bugs are a 500.
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { SequencerUnavailable } from '../node/cluster.ts';
import { ActionRejected } from '../protocol/errors.ts';
import { DatabaseUnavailable, isStorageFull } from '../store/sql.ts';

export interface ErrorPayload {
  error: { code: string; field?: string; message: string; details?: Record<string, unknown> };
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // nosniff here too: errors met while routing (a malformed URL) come before securityHeaders.ts runs.
  const send = (status: number, payload: ErrorPayload['error']) =>
    reply.status(status).type('application/json').header('x-content-type-options', 'nosniff').send({ error: payload });
  if (error instanceof ActionRejected)
    return send(error.status, { code: error.code, field: error.field, message: error.message, ...(error.details ? { details: error.details } : {}) });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const context = (error as { validationContext?: string }).validationContext ?? 'body';
    const path = first.instancePath.split('/').filter(Boolean);
    const field = context === 'body' ? path.join('.') || 'body' : [context === 'querystring' ? 'query' : context, ...path].join('.');
    const extra = error.validation.length > 1 ? ` (and ${error.validation.length - 1} more problems)` : '';
    return send(400, { code: 'invalid_field', field, message: `${field}: ${first.message}${extra}` });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(400, { code: 'malformed_json', field: 'body', message: `request body is not valid JSON: ${error.message}` });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(413, { code: 'too_large', field: 'content', message: `request body is larger than this node accepts (${error.message})` });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(415, { code: 'unsupported_media_type', field: 'content-type', message: error.message });
    case 'FST_ERR_BAD_URL':
      return send(400, { code: 'invalid_field', field: 'url', message: error.message });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return send(414, { code: 'too_large', field: 'url', message: 'a path parameter is longer than this node accepts (100 characters)' });
  }
  // Nothing the client did: the database or the sequencer is away for now. Nothing was written.
  if (error instanceof DatabaseUnavailable || error instanceof SequencerUnavailable) {
    reply.header('retry-after', '1');
    return send(503, { code: 'unavailable', message: error.message });
  }
  if (isStorageFull(error)) {
    request.log.error({ err: error }, 'storage full');
    return send(507, {
      code: 'insufficient_storage',
      message: "the node's disk is full, so nothing was written; the same request succeeds once the operator frees space (the node logged the details)",
    });
  }
  if (error instanceof SyntaxError) return send(400, { code: 'malformed_json', field: 'body', message: `request body is not valid JSON: ${error.message}` });
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return send(status, { code: (error.code ?? 'bad_request').toLowerCase(), message: error.message });
  request.log.error({ err: error }, 'internal error');
  return send(500, { code: 'internal', message: 'internal error; the node logged the details' });
}

/**
 * Requests that fail before Fastify sees them (Node's HTTP parser: headers too large, a
 * malformed request line, a client too slow to send its request) get the same shape, then
 * the connection closes.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, payload]: [number, string, ErrorPayload['error']] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', { code: 'timeout', message: 'the request did not arrive in time (headers or body too slow); see TRIBUTARY_HEADERS_TIMEOUT_MS and TRIBUTARY_BODY_TIMEOUT_MS' }]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', { code: 'too_large', field: 'headers', message: 'the request line and headers are larger than this node accepts (16 KiB)' }]
        : [400, 'Bad Request', { code: 'malformed_request', message: `not a valid HTTP request (${error.code ?? error.message})` }];
  const body = JSON.stringify({ error: payload });
  if (socket.writable)
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
}
