// Signed actions on the wire: what a wallet needs to sign one (the EIP-712 domain and
// every action's fields), the envelope a signed action travels in, and the answer to a
// recorded inference. The per-type action schemas are generated from src/protocol's
// definitions by the node; this module holds only what is the same for every node.
// Shapes only, for Node and the browser.
import { z } from 'zod';
import { Address, Base64, Signature } from './common.ts';
import { Domain } from './node.ts';
import { Receipt } from './receipt.ts';

export const TypedDataField = z.object({ name: z.string(), type: z.string() });
export const ActionTypesAnswer = z.object({
  domain: Domain,
  types: z.record(z.string(), z.array(TypedDataField)),
  descriptions: z.record(z.string(), z.string()),
});
export type ActionTypesAnswer = z.infer<typeof ActionTypesAnswer>;

/** The envelope of POST /v1/actions around `action`, one schema per node (its action types). */
export function signedActionBody<A extends z.ZodTypeAny>(action: A) {
  return z
    .strictObject({
      action,
      signer: Address.describe('The account that signed'),
      signature: Signature.describe('EIP-712 signature over `action` (without its `type` key) with primaryType = action.type'),
      domain: z
        .strictObject({ name: z.string().optional(), version: z.string().optional(), chainId: z.number().int().optional() })
        .optional()
        .describe('Optional: the domain you signed over; checked so that a mismatch gets a precise error'),
      content: Base64.optional().describe('For Contribute: the file bytes, base64 (or PUT /v1/blobs/:hash first)'),
    })
    .describe('A signed action');
}

/** GET /v1/inferences/:id: the inference record and its receipt. */
export const InferenceAnswer = z.object({ inference: z.record(z.string(), z.unknown()), receipt: Receipt });
export type InferenceAnswer = z.infer<typeof InferenceAnswer>;

/** PUT /v1/blobs/:hash: the staged content. */
export const StagedBlob = z.object({ hash: z.string(), size: z.number().int() });
export type StagedBlob = z.infer<typeof StagedBlob>;
