// The token calls the node and its tests make: balances, transfers, approvals. Typed
// wrappers over clients.ts, so amounts stay bigint base units end to end.
import type { Address, Chain, PublicClient, TransactionReceipt, Transport } from 'viem';
import { readUint, sendContractTx, type ChainClients } from './clients.ts';

/** Balance of `account`, in base units. */
export function tokenBalance(publicClient: PublicClient<Transport, Chain>, token: Address, account: Address): Promise<bigint> {
  return readUint(publicClient, { contract: 'TributaryToken', address: token, functionName: 'balanceOf', args: [account] });
}

/** Moves `amount` from the wallet client's account to `to`. */
export function transferTokens(clients: ChainClients, token: Address, to: Address, amount: bigint): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'TributaryToken', address: token, functionName: 'transfer', args: [to, amount] });
}

/** Lets `spender` take up to `amount` from the wallet client's account. */
export function approveTokens(clients: ChainClients, token: Address, spender: Address, amount: bigint): Promise<TransactionReceipt> {
  return sendContractTx(clients, { contract: 'TributaryToken', address: token, functionName: 'approve', args: [spender, amount] });
}
