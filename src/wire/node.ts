// What a node says about itself: identity, EIP-712 domain and limits (GET /v1/node),
// liveness (/healthz) and readiness (/readyz). Shapes only, for Node and the browser.
import { z } from 'zod';

export const Domain = z.object({ name: z.string(), version: z.string(), chainId: z.number().int() });
export type Domain = z.infer<typeof Domain>;

/** The ledger's money, fixed at genesis. */
export const MoneyKind = z.enum(['play', 'real']);

export const NodeInfo = z.object({
  origin: z.string(),
  verifierKey: z.string(),
  domain: Domain,
  size: z.number().int(),
  maxContentBytes: z.number().int(),
  dev: z.boolean().describe('Dev mode: hand-recorded inferences, hand-closed epochs and (on a play-money ledger) the faucet are on'),
  money: MoneyKind.describe("The ledger's money, fixed at genesis: play (dev faucet credit, never paid out on chain) or real (chain deposits only)"),
});
export type NodeInfo = z.infer<typeof NodeInfo>;

/** GET /healthz (hidden from the OpenAPI document: an operator's probe). */
export interface Health {
  ok: boolean;
  size: number;
  sequencing: boolean;
  entries: number;
  batches: number;
}

const Check = z.object({ ok: z.boolean(), reason: z.string().optional() });
export const Readiness = z.object({
  ready: z.boolean(),
  failing: z.array(z.string()).describe('The checks that failed: database, sequencer, chain'),
  checks: z.object({ database: Check, sequencer: Check, chain: Check.optional() }),
});
export type Readiness = z.infer<typeof Readiness>;
