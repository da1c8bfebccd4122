// The chain side of a node on the wire: what its chain worker has done and where it
// stands, and a withdrawal voucher for DepositVault. Shapes only, for Node and the browser.
import { z } from 'zod';

const Posted = { tx: z.string(), block: z.string(), at: z.string() };

export const ChainStatus = z.object({
  configured: z.boolean(),
  rpcUrl: z.string().optional(),
  chainId: z.number().int().optional(),
  contracts: z.object({ token: z.string(), vault: z.string(), distributor: z.string(), anchor: z.string() }).optional(),
  settler: z.string().optional(),
  confirmations: z.number().int().optional(),
  /** The last block whose deposits were credited. */
  depositsScannedTo: z.string().optional(),
  depositsCredited: z.number().int(),
  lastRoot: z.object({ ...Posted, epoch: z.number().int(), root: z.string() }).optional(),
  lastAnchor: z.object({ ...Posted, treeSize: z.number().int() }).optional(),
  lastFunding: z.object({ ...Posted, amount: z.string() }).optional(),
  unfunded: z.string().optional().describe('What the distributor lacks to pay every posted payout (money credited without an on-chain deposit, e.g. by the dev faucet)'),
  /** Epochs closed here and not yet on chain. */
  pendingEpochs: z.number().int(),
  failures: z.number().int(),
  lastError: z.object({ message: z.string(), at: z.string() }).optional(),
  nextAttemptAt: z.string().optional(),
});
export type ChainStatus = z.infer<typeof ChainStatus>;

export const WithdrawalVoucher = z.object({
  voucher: z.object({ account: z.string(), amount: z.string(), nonce: z.string(), deadline: z.string() }),
  signature: z.string(),
  vault: z.string(),
  chainId: z.number().int(),
});
export type WithdrawalVoucher = z.infer<typeof WithdrawalVoucher>;
