// The receipt the node answers for every action: the entry, a signed checkpoint, the
// inclusion proof from the leaf to that checkpoint, and what the action did. The one
// definition the API routes, the OpenAPI document, the SDK, the node and the explorer
// share. Shapes only: checking a receipt is src/ledger's job, never this module's.
import { z } from 'zod';
import { Base64, Hex32 } from './common.ts';

export const InclusionProof = z.object({ index: z.number().int(), size: z.number().int(), leafHash: Hex32, hashes: z.array(Hex32) });
export type InclusionProof = z.infer<typeof InclusionProof>;

export const Receipt = z
  .object({
    index: z.number().int(),
    leafHash: Hex32,
    entry: Base64.describe('The exact leaf bytes (RFC 8785 JSON), base64'),
    checkpoint: z.string().describe('C2SP signed checkpoint whose tree holds the entry'),
    inclusionProof: InclusionProof,
    result: z.record(z.string(), z.unknown()),
  })
  .describe('Proof that an action is in the log; checkable offline with `tributary receipt verify`.');
export type Receipt = z.infer<typeof Receipt>;
