// Payout epochs on the wire: a closed epoch with its payout root, and an account's
// cumulative payout with its Merkle proof for PayoutDistributor.claim. Shapes only, for
// Node and the browser; building and checking payout trees is src/settlement's job.
import { z } from 'zod';
import { Amount } from './common.ts';

const Bytes32 = z.string().regex(/^0x[0-9a-f]{64}$/);
export const Epoch = z.object({
  epoch: z.number().int(),
  root: Bytes32.describe('Root of the payout tree (OpenZeppelin StandardMerkleTree, leaves (address, uint256))'),
  accounts: z.number().int(),
  cumulative: Amount,
  paid: Amount.describe('What this epoch added'),
  changed: z.number().int(),
  logSize: z.number().int(),
  time: z.number().int(),
});
export type Epoch = z.infer<typeof Epoch>;
export const EpochList = z.object({ epochs: z.array(Epoch) });

/** `amount` is the cumulative amount claimable by the account as of `epoch`, base units. */
export const PayoutProof = z.object({ epoch: z.number().int(), account: z.string(), amount: Amount, root: Bytes32, proof: z.array(Bytes32) });
export type PayoutProof = z.infer<typeof PayoutProof>;
