// The OpenAI-compatible inference routes on the wire: the request bodies (OpenAI's, so the
// official clients work unchanged) and what Tributary adds to every answer: the
// `attribution` object (contributions and weights, matched spans, the fee and its split,
// the log index of the inference record). Shapes only, for Node and the browser.
import { z } from 'zod';

/** The most tokens one call may ask for. */
export const MAX_COMPLETION_TOKENS = 256;

const Common = {
  model: z.string().min(1).max(80).describe('name@version, as GET /v1/models lists them'),
  max_tokens: z.number().int().min(1).max(MAX_COMPLETION_TOKENS).default(64),
  temperature: z.number().min(0).max(2).default(0.7),
  seed: z.number().int().nonnegative().max(2 ** 31 - 1).optional(),
  logit_bias: z
    .record(z.string().regex(/^\d{1,9}$/, 'keys are token ids'), z.number().min(-100).max(100))
    .refine((b) => Object.keys(b).length <= 300, 'at most 300 tokens')
    .optional()
    .describe('token id -> bias added to its logit, -100 to 100'),
  stream: z.boolean().default(false),
  user: z.string().max(256).optional(),
};
export const CompletionBody = z.object({ ...Common, prompt: z.string().max(32_768) }).passthrough();
export const ChatBody = z
  .object({
    ...Common,
    messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(32_768) }).passthrough()).min(1).max(64),
  })
  .passthrough();
export type CompletionRequest = z.input<typeof CompletionBody>;
export type ChatRequest = z.input<typeof ChatBody>;

export const Usage = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
export type Usage = z.infer<typeof Usage>;

/** A matched span: UTF-16 offsets [start, end) into the answer, and the contributions holding it. */
export const AttributedSpan = z.object({ start: z.number().int(), end: z.number().int(), text: z.string(), contributions: z.array(z.number().int()) });
export type AttributedSpan = z.infer<typeof AttributedSpan>;

/** Where one part of the fee went. */
export const SplitLine = z.object({
  account: z.string(),
  role: z.enum(['baseline', 'usage', 'owner', 'compute', 'treasury']),
  amount: z.string(),
  contribution: z.number().int().optional(),
});
export type SplitLine = z.infer<typeof SplitLine>;

/** The `attribution` object of every served answer (in the final chunk when streaming). */
export const Attribution = z.object({
  contributions: z.array(z.object({ contribution: z.number().int(), weight_ppm: z.number().int() })),
  spans: z.array(AttributedSpan),
  fee: z.string(),
  split: z.array(SplitLine),
  inference: z.number().int().describe('The log index of the inference record'),
  log_index: z.number().int().describe('The same index, under its earlier name'),
});
export type Attribution = z.infer<typeof Attribution>;
