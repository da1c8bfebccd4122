// Wire schemas shared by several routes. Route-specific schemas live in their route
// file; the OpenAPI document is generated from all of them.
import { z } from 'zod';

export const Hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
export const Address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
export const Signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'must be a 0x-prefixed 65-byte hex signature (r‖s‖v)');
export const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
export const Count = z.coerce.number().int('must be an integer').nonnegative('must not be negative').max(Number.MAX_SAFE_INTEGER);

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

export const Receipt = z
  .object({
    index: z.number().int(),
    leafHash: Hex32,
    entry: Base64.describe('The exact leaf bytes (RFC 8785 JSON), base64'),
    checkpoint: z.string().describe('C2SP signed checkpoint whose tree holds the entry'),
    inclusionProof: z.object({ index: z.number().int(), size: z.number().int(), leafHash: Hex32, hashes: z.array(Hex32) }),
    result: z.record(z.string(), z.unknown()),
  })
  .describe('Proof that an action is in the log; checkable offline with `tributary receipt verify`.');

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody, 413: ErrorBody };

/** Money on the wire: base units (18 decimals) as a decimal string, never a JSON number. */
export const Amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'must be a whole number of base units as a decimal string');
export const paymentResponses = { ...errorResponses, 402: ErrorBody };
