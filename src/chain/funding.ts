// Funding payouts from deposits: the node, with its voucher key, moves what its ledger
// says requesters spent from the DepositVault to the PayoutDistributor, the one place the
// vault sends such tokens; claims are then paid from them. It must never move more than
// the ledger has debited from requesters' balances: the vault holds their unspent
// deposits too, and trusts the key.
import type { Address, Chain, PublicClient, TransactionReceipt, Transport } from 'viem';
import { readUint, sendContractTx, type ChainClients } from './clients.ts';

/**
 * Moves `amount` base units from the vault to its payout distributor; the wallet client's
 * account must be the vault's voucher signer. Reverts NotVoucherSigner, ZeroAmount, or
 * the token's ERC20InsufficientBalance(vault, held, amount) when the vault holds less.
 */
export function fundPayouts(clients: ChainClients, vault: Address, amount: bigint): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'DepositVault', address: vault, functionName: 'fundPayouts', args: [amount] });
}

/** Total the vault has moved to the payout distributor so far, in base units. */
export function payoutsFunded(publicClient: PublicClient<Transport, Chain>, vault: Address): Promise<bigint> {
  return readUint(publicClient, { contract: 'DepositVault', address: vault, functionName: 'payoutsFunded', args: [] });
}
