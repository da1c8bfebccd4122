// Dev-mode conveniences on the wire: the faucet's request, and recording an inference
// from its output text with what the node answers. Shapes only, for Node and the browser;
// the longest output a node attributes is passed in.
import { z } from 'zod';
import { Address, Amount } from './common.ts';
import { AttributedSpan } from './openai.ts';
import { Receipt } from './receipt.ts';

/** POST /v1/dev/faucet's body. */
export const FaucetRequest = z.strictObject({ account: Address, amount: Amount.default('100000000000000000000').describe('Base units; default 100 tokens') });

/** POST /v1/dev/inferences' body; `maxOutput` is the longest text the node attributes. */
export function recordInferenceRequest(maxOutput: number) {
  return z.strictObject({
    model: z.string().max(80).describe('name@version'),
    requester: Address.optional().describe("Who pays: the API key's account (the default); anything else is refused"),
    provider: Address.optional().describe('The compute provider paid its share; default, as serving: the node\'s compute account, else the model owner'),
    inputTokens: z.number().int().nonnegative().max(10_000_000),
    // Attributed like any text: no longer than POST /v1/attribution takes (matching is
    // quadratic in copied runs, see docs/api.md).
    output: z.string().max(maxOutput),
  });
}
export type RecordInferenceRequest = z.input<ReturnType<typeof recordInferenceRequest>>;

export const RecordedInference = z.object({
  receipt: Receipt,
  attribution: z.object({
    contributions: z.array(z.object({ contribution: z.number().int(), ppm: z.number().int() })),
    spans: z.array(AttributedSpan),
  }),
});
export type RecordedInference = z.infer<typeof RecordedInference>;
