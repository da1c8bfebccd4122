// Field shapes every resource of the wire contract uses: hashes, addresses, signatures,
// amounts, counts, and the error body. Zod only: this module (like all of src/wire) runs in
// Node and in the browser, so it must never import node:* or anything from the server.
import { z } from 'zod';

export const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
export const Signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 0x-prefixed 65-byte hex signature (r‖s‖v)');
export const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const Count = z.coerce.number().int('must be an integer').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER);
/** A datanet's name, as a path or body field. */
export const DatanetName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a datanet name (lowercase letters, digits, -)');

/** Money on the wire: base units (18 decimals) as a decimal string, never a JSON number. */
export const Amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a whole number of base units as a decimal string');

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      field: z.string().optional(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('Every 4xx and 5xx answer has this shape. `field` is the dotted path of the offending input.');
export type ErrorBody = z.infer<typeof ErrorBody>;

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, 413: ErrorBody };
export const paymentResponses = { ...errorResponses, 402: ErrorBody };
