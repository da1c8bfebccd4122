// Shapes of the node's answers that both the TypeScript client and the web app read. This
// module imports nothing, so the browser build can take its types without Node's.

/** What the node answers for an action: its entry, a signed checkpoint, the inclusion proof, and the result. */
export interface Receipt {
  index: number;
  leafHash: string;
  entry: string;
  checkpoint: string;
  inclusionProof: { index: number; size: number; leafHash: string; hashes: string[] };
  result: Record<string, unknown>;
}

/** One entry of GET /v1/models (OpenAI's list shape, with the node's `tributary` details). */
export interface ModelInfo {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  tributary: {
    name: string;
    version: number;
    owner: string;
    datanet: string;
    snapshot: number;
    snapshotRoot: string;
    base: string;
    adapter: string;
    policy: { pricePer1kInput: string; pricePer1kOutput: string; shares: { data: number; owner: number; compute: number; treasury: number }; baselineBps: number };
    trainingContributions: number;
    trainingTokens: number;
    training?: { job: number; configHash: string; trainerVersion: string; evalLoss: number; baseEvalLoss: number; worker: string };
    registeredAt: number;
    usage: { inferences: number; inputTokens: number; outputTokens: number; fees: string; data: string; owner: string; compute: string; treasury: string };
  };
}
