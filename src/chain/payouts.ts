// The node's and the claimants' calls to the PayoutDistributor: posting an epoch's root,
// claiming with a proof, and reading what was claimed and what is posted. Proofs come
// from src/settlement/payoutTree.ts, whose leaves are the contract's leaves; nothing
// here hashes a leaf itself.
import type { Address, Chain, Hex, PublicClient, TransactionReceipt, Transport } from 'viem';
import type { PayoutTree } from '../settlement/payoutTree.ts';
import { readBytes32, readUint, sendContractTx, type ChainClients } from './clients.ts';

/** The arguments of `claim`: an account, its cumulative amount in the latest root, and the proof. */
export interface PayoutClaim {
  account: Address;
  cumulativeAmount: bigint;
  proof: Hex[];
}

/** The claim of `account` in `tree`. Throws UnknownPayoutAccountError when the tree has no leaf for it. */
export function payoutClaim(tree: PayoutTree, account: Address): PayoutClaim {
  return { account, cumulativeAmount: tree.amount(account), proof: tree.proof(account) as Hex[] };
}

/** Posts `root` as epoch `epoch`'s payout root, from the settler. Reverts NotSettler or EpochNotIncreasing. */
export function postPayoutRoot(clients: ChainClients, distributor: Address, epoch: bigint, root: Hex): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'PayoutDistributor', address: distributor, functionName: 'postRoot', args: [epoch, root] });
}

/**
 * Claims for `claim.account` (the tokens go to it, whoever sends). Reverts InvalidProof,
 * or NothingToClaim when the account already claimed this much.
 */
export function claimPayout(clients: ChainClients, distributor: Address, claim: PayoutClaim): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'PayoutDistributor', address: distributor, functionName: 'claim', args: [claim.account, claim.cumulativeAmount, claim.proof] });
}

/** Cumulative amount already paid to `account`. */
export function claimedAmount(publicClient: PublicClient<Transport, Chain>, distributor: Address, account: Address): Promise<bigint> {
  return readUint(publicClient, { contract: 'PayoutDistributor', address: distributor, functionName: 'claimed', args: [account] });
}

/** The latest posted epoch and its root (epoch 0 and a zero root before the first post). */
export async function latestPayoutRoot(publicClient: PublicClient<Transport, Chain>, distributor: Address): Promise<{ epoch: bigint; root: Hex }> {
  const at = { contract: 'PayoutDistributor', address: distributor, args: [] } as const;
  const [epoch, root] = await Promise.all([readUint(publicClient, { ...at, functionName: 'epoch' }), readBytes32(publicClient, { ...at, functionName: 'root' })]);
  return { epoch, root };
}
